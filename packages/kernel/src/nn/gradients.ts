import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

const RESOLVE_HOOK = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (!e || !specifier.startsWith('.') || specifier.endsWith('.js')) throw e;
    if (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'ERR_UNSUPPORTED_DIR_IMPORT') throw e;
    try {
      return await next(specifier + '.js', context);
    } catch {
      return next(specifier + '/index.js', context);
    }
  }
}`;

let loading: Promise<void> | undefined;

/**
 * Registers tfjs-core's gradient functions (needed by `tf.variableGrads`, `tf.grad`), once per
 * process; resolves at once when they are already registered.
 *
 * tfjs-core's Node bundle ships no gradients, and `@tensorflow/tfjs-core/dist/register_all_gradients`
 * is an ES module with extension-less imports that Node cannot load (`require` and `import` both
 * fail with ERR_MODULE_NOT_FOUND). This installs a resolve hook that adds the `.js`, then imports
 * it; the gradients land in tfjs' process-wide registry. Needs Node ≥ 20.6.
 */
export function ensureGradients(): Promise<void> {
  if (tf.getGradient('Relu') != null) return Promise.resolve();
  loading ??= (async () => {
    const nodeModule = require('node:module') as { register?: (url: string) => void };
    if (typeof nodeModule.register !== 'function') throw new Error('Registering tfjs gradients needs Node >= 20.6');
    nodeModule.register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
    const core = path.dirname(require.resolve('@tensorflow/tfjs-core/package.json'));
    const file = pathToFileURL(path.join(core, 'dist', 'register_all_gradients.js')).href;
    await (new Function('u', 'return import(u)') as (u: string) => Promise<unknown>)(file);
  })();
  return loading;
}
