export { RandomlyPruneBranch } from './randomly-prune';
export * from './random-masks';
