/** The version of `@lth/training`, recorded in checkpoints. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const TRAINING_VERSION: string = require('../../package.json').version;
