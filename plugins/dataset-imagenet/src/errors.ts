import { addErrorCodes, type ErrorCodeInfo } from '@lth/kernel';

/** This plugin's own error codes, added to the kernel's catalog (`ErrorCodes` in @lth/kernel). */
const IMAGENET_ERROR_CODES = {
  CORRUPT_IMAGE: { exit: 2, meaning: 'An image file of the dataset cannot be decoded.' },
  IMAGENET_ROOT_UNSET: { exit: 2, meaning: 'ImageNet is used without platform.imagenetRoot.' },
} as const satisfies Record<string, ErrorCodeInfo>;

type ImagenetErrorCodes = Record<keyof typeof IMAGENET_ERROR_CODES, ErrorCodeInfo>;
declare module '@lth/kernel' {
  interface ErrorCodes extends ImagenetErrorCodes {}
}
addErrorCodes(IMAGENET_ERROR_CODES);
