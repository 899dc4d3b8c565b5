import './errors';
export { LocalPlatformHparams, BACKEND_CHOICES, type BackendChoice } from './hparams';
export { BACKEND_LOADERS, backendLoader, type BackendLoader, type BackendOptions } from './backends';
export { localPlatformSettings, type LocalPlatformSettings } from './settings';
export { LocalPlatform, LocalPlatformFactory } from './local-platform';
export { registerWasmFallbacks } from './wasm-fallback';
