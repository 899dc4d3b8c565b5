import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContributionKind } from '../contracts';

/** A class a declaration names; the session's container builds it (constructor injection). */
export type DeclaredClass = abstract new (...args: never[]) => unknown;

/**
 * What a registration decorator records about a class: facts about code, like
 * `reflect-metadata`'s, never instances. Node runs a module (and its decorators) once per
 * process, so decorators cannot register into a session: they declare, and each session's
 * `Registry` builds the declared classes through its own container when the plugin whose files
 * declared them is loaded into it (see `declarationsOfPlugin`).
 */
export interface Declaration {
  readonly kind: ContributionKind;
  /** The names it is registered under (a dataset family has several). */
  readonly names: readonly string[];
  readonly description: string;
  readonly meta: Record<string, unknown>;
  /** The class to build, or undefined when `value` is the contribution itself (an initializer). */
  readonly cls?: DeclaredClass;
  readonly value?: unknown;
  /** The module whose code declared it (the class's file), or null when unknown. */
  readonly file: string | null;
}

const DECLARED: Declaration[] = [];
const DECORATOR_FILES = new Set<string>([__filename]);

/**
 * Names a module that holds decorators which call `declareContribution` (as `@lth/lottery`'s
 * `@branch` does), so that a declaration is attributed to the module that applied the
 * decorator, not to the decorator's own module.
 */
export function registerDecoratorModule(file: string): void {
  DECORATOR_FILES.add(file);
}

/** The first file on the call stack that is not a decorator module nor a decorate helper (tslib, reflect-metadata). */
function declaringFile(): string | null {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  let sites: NodeJS.CallSite[] = [];
  try {
    Error.stackTraceLimit = 50;
    Error.prepareStackTrace = (_e, s) => s;
    sites = new Error().stack as unknown as NodeJS.CallSite[];
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  for (const site of Array.isArray(sites) ? sites : []) {
    const f = site.getFileName();
    if (!f || f.startsWith('node:') || DECORATOR_FILES.has(f) || /[\\/]node_modules[\\/](tslib|reflect-metadata|tsyringe)[\\/]/.test(f)) continue;
    return f.startsWith('file://') ? new URL(f).pathname : f;
  }
  return null;
}

/**
 * Records a declaration (decorators call this): the class (or value), its kind, names and
 * meta, and the module that declared it. Nothing is built here.
 */
export function declareContribution(d: Omit<Declaration, 'file'>): Declaration {
  const declared: Declaration = { ...d, file: declaringFile() };
  DECLARED.push(declared);
  return declared;
}

/** The declarations of classes in `classes` (for contributions a test or an embedder names directly). */
export function declarationsOfClasses(classes: readonly DeclaredClass[]): Declaration[] {
  return DECLARED.filter((d) => d.cls !== undefined && classes.includes(d.cls));
}

/** The directory of the nearest package.json above `file` (or the file's own directory). */
function packageRoot(file: string): string {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.dirname(file);
  }
}

/**
 * The declarations a plugin whose main module is `mainFile` makes: those declared in the
 * modules it required (directly or through its own modules: `module.children`, which Node
 * keeps even for modules another one loaded first), restricted to its own package (files
 * under its package.json's directory, not under a nested `node_modules`). So a plugin owns
 * what its files declare whoever imported them first (a test, another plugin), and never what
 * a package it imports declares (`@lth/lottery`'s workflows are `@lth/lottery`'s).
 */
export function declarationsOfPlugin(mainFile: string): Declaration[] {
  const root = packageRoot(mainFile);
  const inside = (f: string): boolean => {
    const rel = path.relative(root, f);
    return !rel.startsWith('..') && !path.isAbsolute(rel) && !rel.split(path.sep).includes('node_modules');
  };
  const files = new Set<string>();
  const stack: (NodeJS.Module | undefined)[] = [require.cache[mainFile]];
  while (stack.length) {
    const m = stack.pop();
    if (!m || files.has(m.filename) || !inside(m.filename)) continue;
    files.add(m.filename);
    stack.push(...m.children);
  }
  return DECLARED.filter((d) => d.file !== null && files.has(d.file));
}
