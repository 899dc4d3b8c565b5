import Module from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getGradient } from '@tensorflow/tfjs-core';

/** An ESM resolve hook that retries an extensionless relative import with `.js` and `/index.js`. */
const EXTENSIONLESS_IMPORTS_HOOK = `
export async function resolve(specifier, context, next) {
  if (!specifier.startsWith('.') || /\\.[cm]?js$/.test(specifier)) return next(specifier, context);
  try {
    return await next(specifier + '.js', context);
  } catch {
    try {
      return await next(specifier + '/index.js', context);
    } catch {
      return next(specifier, context);
    }
  }
}`;

const dynamicImport = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;
let registering: Promise<void> | undefined;

/**
 * Registers every gradient tfjs-core defines (needed by `tf.grad`, `tf.variableGrads` and the
 * optimizers), once per process.
 *
 * tfjs-core's CommonJS bundle carries no gradients; they live in `dist/register_all_gradients.js`,
 * an ES module whose relative imports have no extension, which Node cannot load as published.
 * This installs a resolve hook that adds the extension and imports that module; gradients go to
 * tfjs' process-wide registry, so the CommonJS engine sees them. Resolves at once when the
 * gradients are already registered (by tfjs-node, another backend, or an earlier call).
 */
export function registerGradients(): Promise<void> {
  if (getGradient('Relu') !== undefined && getGradient('Relu') !== null) return Promise.resolve();
  registering ??= (async () => {
    const register = (Module as unknown as { register?: (url: string) => void }).register;
    if (typeof register !== 'function') throw new Error('registering tfjs gradients needs Node 20.6 or later');
    register(`data:text/javascript,${encodeURIComponent(EXTENSIONLESS_IMPORTS_HOOK)}`);
    const core = path.dirname(require.resolve('@tensorflow/tfjs-core/package.json'));
    await dynamicImport(pathToFileURL(path.join(core, 'dist', 'register_all_gradients.js')).href);
  })();
  return registering;
}
