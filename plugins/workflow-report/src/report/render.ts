import { pathToFileURL } from 'node:url';

/* The vega and vega-lite packages are ES modules only: loaded with a real dynamic import,
   which TypeScript would turn into require() in CommonJS output if written as import(). */
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

interface VegaModule {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, options: { renderer: 'none' }) => { toSVG(): Promise<string>; finalize(): void };
}
interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown };
}

let modules: Promise<{ vega: VegaModule; vl: VegaLiteModule }> | null = null;

function load(): Promise<{ vega: VegaModule; vl: VegaLiteModule }> {
  const from = (name: string) => importModule(pathToFileURL(require.resolve(name)).href);
  modules ??= Promise.all([from('vega'), from('vega-lite')]).then(([vega, vl]) => ({ vega: vega as VegaModule, vl: vl as VegaLiteModule }));
  return modules;
}

/** Renders a Vega-Lite specification to a standalone SVG document, in Node (no browser, no canvas). */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const { vega, vl } = await load();
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
