export * from './declarations';
export * from './registry';
export * from './decorators';
export * from './session';
/** tsyringe's decorators for contributions' constructors, re-exported so that a plugin uses the host's tsyringe. */
export { inject, injectable } from 'tsyringe';
export type { DependencyContainer } from 'tsyringe';
