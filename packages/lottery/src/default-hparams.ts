import type { DefaultHparams, Registry } from '@lth/kernel';

/**
 * The defaults `--default_hparams=<model name>` fills in: those of the first model family in `registry`
 * family that accepts the name (an `UNKNOWN_MODEL` error lists the families), or null when the
 * flag is absent.
 */
export function defaultHparamsFor(registry: Registry, modelName: string | null | undefined): DefaultHparams | null {
  if (!modelName) return null;
  return registry.modelFamilyFor(modelName).instance.defaultHparams(modelName);
}
