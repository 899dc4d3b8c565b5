export { SparseGlobalPruningHparams } from './hparams';
export { SparseGlobalStrategy } from './sparse-global';
