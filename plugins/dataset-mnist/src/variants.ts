/** The dataset names this plugin serves. */
export type MnistName = 'mnist' | 'fashion_mnist';

/** Where missing files are downloaded from, and the md5 of each (gzipped) file there. */
export interface MnistMirror {
  /** Base URL; a file's URL is `<baseUrl><file>.gz`. */
  readonly baseUrl: string;
  /** md5 by gzipped file name (`train-images-idx3-ubyte.gz`); a file without one is not verified. */
  readonly md5: Readonly<Record<string, string>>;
}

/** One dataset of the MNIST format: where its files live and where they come from. */
export interface MnistVariant {
  readonly name: MnistName;
  readonly title: string;
  /** Folder under the dataset root (`mnist`); downloads go here. */
  readonly folder: string;
  /** torchvision's class folder, so `<root>/<folder>/<torchvisionFolder>/raw/` (OpenLTH's layout) is found too. */
  readonly torchvisionFolder: string;
  readonly mirror: MnistMirror;
  /** Environment variable that replaces the mirror's base URL. */
  readonly mirrorEnv: string;
  /** Read-only folders searched last (a system package's files). */
  readonly systemDirs: readonly string[];
  /** How to install the files from a system package, when there is one. */
  readonly installHint: string | null;
}

/** The IDX files of each split (each may also be stored gzipped, with `.gz`). */
export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** Sizes shared by MNIST and Fashion-MNIST. */
export const MNIST_SHAPE = { train: 60000, test: 10000, rows: 28, cols: 28, numClasses: 10 } as const;

/**
 * OpenLTH's MNIST normalisation (`Normalize(mean=[0.1307], std=[0.3081])`), used for
 * Fashion-MNIST as well so that its runs compare with OpenLTH's on the same files.
 */
export const MNIST_NORMALIZATION = { mean: [0.1307], std: [0.3081] } as const;

/** The two datasets, with the mirrors and md5s torchvision uses. */
export const MNIST_VARIANTS: Readonly<Record<MnistName, MnistVariant>> = {
  mnist: {
    name: 'mnist',
    title: 'MNIST',
    folder: 'mnist',
    torchvisionFolder: 'MNIST',
    mirror: {
      baseUrl: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
      md5: {
        'train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
        'train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
        't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
        't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
      },
    },
    mirrorEnv: 'LTH_MNIST_MIRROR',
    systemDirs: [],
    installHint: null,
  },
  fashion_mnist: {
    name: 'fashion_mnist',
    title: 'Fashion-MNIST',
    folder: 'fashion_mnist',
    torchvisionFolder: 'FashionMNIST',
    mirror: {
      baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
      md5: {
        'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
        'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
        't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
        't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
      },
    },
    mirrorEnv: 'LTH_FASHION_MNIST_MIRROR',
    systemDirs: ['/usr/share/datasets/fashion-mnist'],
    installHint: 'apt-get install dataset-fashion-mnist',
  },
};
