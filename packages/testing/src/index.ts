/**
 * @lth/testing: the test kit of lth, for plugin authors and lth's own tests (README, "Testing a
 * plugin"). Its centre is the isolated session (`openTestSession`, `useTestSession`): a
 * container and registry of its own with the plugins a test names, a scratch results root and a
 * CPU platform; `runTestWorkflow` runs a workflow in it in-process. Around it: synthetic
 * datasets (`toyImagesPlugin`), MNIST and CIFAR-10 fixture writers, `LthError` assertions
 * (chai), scratch folders, golden-hash tables, Debian's PyTorch runner for reference numbers.
 * It depends on @lth/kernel, @lth/nn and @lth/data (peers: the copies the plugin under test
 * uses) and expects mocha's globals for `useTestSession`.
 */
export * from './errors';
export * from './golden';
export * from './numeric';
export * from './tmp';
export * from './backend';
export * from './output';
export * from './platform';
export * from './mnist-fixtures';
export * from './cifar-fixtures';
export * from './torch';
export * from './openlth-models';
export * from './toy-trunk';
export * from './session';
