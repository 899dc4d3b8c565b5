import * as path from 'node:path';
import type { Platform } from '@lth/kernel';
import { useCpuBackend } from './backend';

/**
 * A one-process platform whose results root is `root` and whose datasets live in `root/../datasets`
 * (no ImageNet, no workers); its `setup` selects tfjs' CPU backend with gradients.
 */
export function testPlatform(root: string): Platform {
  return {
    name: 'test',
    root,
    datasetRoot: path.join(root, '..', 'datasets'),
    setting: () => null,
    numWorkers: 0,
    backend: 'cpu',
    async setup() {
      await useCpuBackend();
    },
    isDistributed: false,
    rank: 0,
    worldSize: 1,
    isPrimary: true,
    async barrier() {},
  };
}
