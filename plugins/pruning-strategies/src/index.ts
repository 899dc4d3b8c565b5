import './errors';
/** The pruning strategies beyond OpenLTH's `sparse_global`, and the `prune_at_init` branch (manifest: package.json's `lth`). */
export * from './hparams';
export * from './select';
export * from './scores';
export * from './strategies';
export { AT_INIT_STRATEGIES, PruneAtInitBranch } from './prune-at-init';
