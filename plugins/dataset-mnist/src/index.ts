export * from './idx';
export * from './mnist-family';
export * from './variants';
