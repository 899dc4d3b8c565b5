import * as path from 'node:path';
import type { BackendChoice } from './hparams';
import { registerWasmFallbacks } from './wasm-fallback';

/** Options a backend may take when it registers. */
export interface BackendOptions {
  /** Threads for a native backend; unset: its own default. */
  readonly threads?: number;
}

/**
 * How to make one tensor backend available to `@tensorflow/tfjs-core`: which package provides it,
 * the tfjs name it registers, and what to install when it is missing. `register` loads the package
 * lazily (none of them is needed to load this plugin) and throws, with the reason, when it cannot.
 */
export interface BackendLoader {
  readonly choice: Exclude<BackendChoice, 'auto'>;
  /** The name the package registers with tfjs (`tensorflow` for both tfjs-node flavours). */
  readonly tfjsName: string;
  /** How to get it, for the error that says it is missing. */
  readonly install: string;
  register(options: BackendOptions): void;
}

interface NativeBackendModule {
  isAvailable(): boolean;
  unavailableReason?(): string | undefined;
  register(options?: { threads?: number }): boolean;
}

/** Requires `pkg`, turning "not installed" into a short reason. */
function load<T>(pkg: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(pkg) as T;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND' && err.message.includes(`'${pkg}'`)) throw new Error(`${pkg} is not installed`);
    throw new Error(`${pkg} failed to load: ${err.message.split('\n')[0]}`);
  }
}

/** The directory holding a package's `package.json`. */
function packageDir(pkg: string): string {
  return path.dirname(require.resolve(`${pkg}/package.json`));
}

/** Every backend `--backend` can name, in the order `auto` tries them. */
export const BACKEND_LOADERS: readonly BackendLoader[] = [
  {
    choice: 'tensorflow-gpu',
    tfjsName: 'tensorflow',
    install: 'npm install @tensorflow/tfjs-node-gpu (needs CUDA and network access to Google storage during its install)',
    register: () => void load('@tensorflow/tfjs-node-gpu'),
  },
  {
    choice: 'tensorflow',
    tfjsName: 'tensorflow',
    install: 'npm install @tensorflow/tfjs-node (needs network access to Google storage during its install)',
    register: () => void load('@tensorflow/tfjs-node'),
  },
  {
    choice: 'native',
    tfjsName: 'native',
    install: 'install libdnnl-dev and libopenblas-dev, then npm rebuild @lth/tfjs-backend-native',
    register: (options) => {
      const native = load<NativeBackendModule>('@lth/tfjs-backend-native');
      if (!native.isAvailable()) {
        const why = native.unavailableReason?.();
        throw new Error(`@lth/tfjs-backend-native has no usable native library${why ? ` (${why.split('\n')[0]})` : ''}`);
      }
      if (!native.register(options.threads === undefined ? {} : { threads: options.threads })) {
        throw new Error('@lth/tfjs-backend-native refused to register');
      }
    },
  },
  {
    choice: 'wasm',
    tfjsName: 'wasm',
    install: 'npm install @tensorflow/tfjs-backend-wasm',
    register: () => {
      const wasm = load<{ setWasmPaths(prefix: string): void }>('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + path.sep);
      registerWasmFallbacks();
    },
  },
  {
    choice: 'cpu',
    tfjsName: 'cpu',
    install: 'npm install @tensorflow/tfjs-backend-cpu',
    register: () => void load('@tensorflow/tfjs-backend-cpu'),
  },
];

/** The loader for `choice` (`auto` is not one). */
export function backendLoader(choice: Exclude<BackendChoice, 'auto'>): BackendLoader {
  const l = BACKEND_LOADERS.find((b) => b.choice === choice);
  if (!l) throw new Error(`No backend loader for ${choice}`);
  return l;
}
