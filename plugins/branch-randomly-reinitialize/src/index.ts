export { RandomlyReinitializeBranch, reinitializationSeed } from './randomly-reinitialize';
