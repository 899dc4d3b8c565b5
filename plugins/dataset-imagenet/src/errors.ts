import { addErrorCodes, type ErrorCodeInfo } from '@lth/kernel';

/* This plugin's own error codes, added to the kernel's catalog (see ErrorCodes in @lth/kernel). */
declare module '@lth/kernel' {
  interface ErrorCodes {
    CORRUPT_IMAGE: ErrorCodeInfo;
    IMAGENET_ROOT_UNSET: ErrorCodeInfo;
  }
}

addErrorCodes({
  CORRUPT_IMAGE: { exit: 2, meaning: 'An image file of the dataset cannot be decoded.' },
  IMAGENET_ROOT_UNSET: { exit: 2, meaning: 'ImageNet is used without platform.imagenetRoot.' },
});
