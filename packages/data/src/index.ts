export * from './dataset-sizes';
export * from './data-loader';
export * from './download';
export * from './gzip';
export * from './image-ops';
export * from './in-memory-source';
export * from './load-split';
export * from './transforms';
