import { getGradient } from '@tensorflow/tfjs-core';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { installNativeGradients } from './gradients_native';

const hooks = `
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
 * Registers tfjs-core's gradients (needed by `tf.grad`, `tf.variableGrads`,
 * optimizers) when nothing has registered them yet.
 *
 * tfjs-core's Node bundle ships no gradients, and its
 * `dist/register_all_gradients.js` is an ES module with extensionless
 * imports that Node cannot load as is; this installs a resolve hook that
 * adds the `.js` and imports it. Resolves immediately when gradients are
 * already registered.
 */
export function ensureGradients(): Promise<void> {
  if (getGradient('Relu') != null) {
    installNativeGradients();
    return Promise.resolve();
  }
  loading ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require('module') as { register?: (url: string) => void };
    if (typeof mod.register !== 'function') {
      throw new Error('@lth/tfjs-backend-native: registering tfjs gradients needs Node >= 20.6');
    }
    mod.register(`data:text/javascript,${encodeURIComponent(hooks)}`);
    const core = path.dirname(require.resolve('@tensorflow/tfjs-core/package.json'));
    const file = pathToFileURL(path.join(core, 'dist', 'register_all_gradients.js')).href;
    await (new Function('u', 'return import(u)') as (u: string) => Promise<unknown>)(file);
    installNativeGradients();
  })();
  return loading;
}
