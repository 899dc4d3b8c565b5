/**
 * `@lth/training`: the training engine (loop, optimizers, learning-rate schedule, callbacks,
 * metric logger, checkpoints) and the `train` workflow. Importing it registers the workflow;
 * as a plugin it is listed in `lth.config.ts` as `@lth/training`.
 */
import './workflow';

export * from './loss-series';
export * from './metric-logger';
export * from './lr-schedule';
export * from './optimizers';
export * from './desc';
export * from './train';
export * from './evaluate';
export * from './callbacks';
export * from './checkpoint';
export * from './summary';
export * from './standard-train';
export * from './run/experiment-run';
export * from './preflight';
export * from './validate';
export * from './workflow';
export { pyFixed } from './format';
export { TRAINING_VERSION } from './version';
