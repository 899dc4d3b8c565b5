/**
 * @lth/testing: helpers the workspace's tests share (a private, test-only package). Tests import
 * it by name, `import { expectLthError, tempDir } from '@lth/testing'`, and their package's
 * tsconfig references `packages/testing`. It depends on @lth/kernel only (so the kernel's own
 * tests, a project of their own in packages/kernel/test, can use it too); chai comes from the
 * workspace root's devDependencies, like every test's.
 */
export * from './errors';
export * from './golden';
export * from './numeric';
export * from './tmp';
export * from './backend';
export * from './output';
export * from './platform';
export * from './mnist-fixtures';
export * from './torch';
export * from './openlth-models';
export * from './toy-trunk';
