export { Cifar10Dataset, CIFAR10_CROP_PADDING, CIFAR10_MEAN, CIFAR10_STD } from './cifar10-dataset';
export { CIFAR10_CLASSES, CIFAR10_IMAGE_BYTES, CIFAR10_SHAPE, readBinaryBatch, readPythonBatch, type Cifar10Batch } from './cifar10-batch';
export {
  BINARY_LAYOUT,
  CIFAR10_BINARY_DOWNLOAD,
  CIFAR10_DOWNLOADS,
  CIFAR10_LAYOUTS,
  CIFAR10_PYTHON_DOWNLOAD,
  PYTHON_LAYOUT,
  cifar10Download,
  ensureCifar10Files,
  readCifar10Split,
  type Cifar10Download,
  type Cifar10Layout,
} from './cifar10-files';
export { extractFolder } from './archive';
export { flipAndCrop } from './flip-crop';
