/**
 * Neural-network building blocks shared by the model plugins: a small PyTorch-like module
 * system whose state names and layouts are OpenLTH's, the initializers of `--model_init` and
 * `--batchnorm_init` (registered on import), `buildModel`, and model files.
 */
export * from './module';
export * from './network';
export * from './linear';
export * from './conv2d';
export * from './batchnorm2d';
export * from './stateless';
export * from './functional';
export * from './fused';
export * from './initializers';
export * from './orthogonal';
export * from './state';
export * from './build';
export * from './model-files';
export * from './gradients';
