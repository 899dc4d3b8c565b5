import './errors';
export { ImagenetDataset, corruptImagePolicy } from './imagenet-dataset';
export { IMAGENET_MEAN, IMAGENET_STD, ImagenetImageSource, type ImagenetSourceOptions } from './imagenet-source';
export { CorruptImageError, IMAGENET_RESIZE, IMAGENET_SIZE, decodeExample } from './decode';
export { DecodePool, MainThreadDecoder, type ImageDecoder } from './decode-pool';
export { IMAGE_FILE, examplePath, listClasses, listImageFolder, type ImageFolderListing } from './image-folder';
export { centerCropBox, pythonRound, randomResizedCropBox, shorterSideSize, type CropBox } from './crop-geometry';
