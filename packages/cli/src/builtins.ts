/**
 * lth's built-in plugins, loaded (in this order) before those `lth.config.ts` lists, unless the
 * config says `builtins: false`. A built-in whose package cannot be resolved at all (not
 * installed, or not built yet) is skipped silently; any other failure while loading it is an
 * error like a configured plugin's.
 */
export const BUILTIN_PLUGINS: readonly string[] = [
  '@lth/nn',
  '@lth/data',
  '@lth/plugin-platform-local',
  '@lth/training',
  '@lth/lottery',
  '@lth/plugin-dataset-mnist',
  '@lth/plugin-model-lenet',
  '@lth/plugin-dataset-cifar10',
  '@lth/plugin-dataset-imagenet',
  '@lth/plugin-model-resnet',
  '@lth/plugin-model-vgg',
  '@lth/plugin-pruning-sparse-global',
  '@lth/plugin-branch-randomly-prune',
  '@lth/plugin-branch-randomly-reinitialize',
  '@lth/plugin-branch-retrain',
  '@lth/plugin-workflow-report',
  '@lth/plugin-branch-instability',
  '@lth/plugin-platform-slurm',
  '@lth/plugin-pruning-strategies',
];

/**
 * The host's packages every plugin shares instead of loading its own copy (besides the kernel and
 * tfjs-core, which the kernel shares itself): a plugin installed anywhere gets lth's registry
 * and the same classes.
 */
export const SHARED_WITH_PLUGINS: readonly string[] = ['@lth/nn', '@lth/data', '@lth/training', '@lth/lottery'];

/** Whether `spec` resolves to a loadable file from `baseDir` or from lth's own installation. */
export function isResolvable(spec: string, baseDir: string): boolean {
  try {
    require.resolve(spec, { paths: [baseDir, __dirname] });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return false;
    throw e;
  }
}

/** The built-ins that are installed and built, in `BUILTIN_PLUGINS` order. */
export function installedBuiltins(baseDir: string, builtins: readonly string[] = BUILTIN_PLUGINS): string[] {
  return builtins.filter((b) => isResolvable(b, baseDir));
}
