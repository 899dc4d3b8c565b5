import { definePlugin } from '@lth/kernel';

export { LocalPlatformHparams, BACKEND_CHOICES, type BackendChoice } from './hparams';
export { BACKEND_LOADERS, backendLoader, type BackendLoader, type BackendOptions } from './backends';
export { localPlatformSettings, type LocalPlatformSettings } from './settings';
export { LocalPlatform, LocalPlatformFactory } from './local-platform';
export { registerWasmFallbacks } from './wasm-fallback';

export const plugin = definePlugin({
  name: '@lth/plugin-platform-local',
  version: '0.1.0',
  kernel: '^0.1.0',
  description: 'The local platform: this machine, one process, the fastest tensor backend that loads.',
});
