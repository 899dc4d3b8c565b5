import type { LthConfig } from '@lth/kernel';

/**
 * The default configuration of this checkout, found by `lth` run anywhere below this directory.
 *
 * `plugins` lists plugins to load in addition to lth's built-ins (package names, or paths
 * relative to this file); `platform` sets up where results and datasets live and which tensor
 * backend runs. Everything below is the default, written out so it is easy to change.
 * `LTH_ROOT`, `LTH_DATASET_ROOT` and `LTH_BACKEND` override the platform settings.
 */
export default {
  plugins: [],
  platform: {
    name: 'local',
    root: '~/open_lth_data',
    datasetRoot: '~/open_lth_datasets',
    backend: 'auto',
  },
} satisfies LthConfig;
