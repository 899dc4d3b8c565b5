/** What the catalog says of one `LthError` code. */
export interface ErrorCodeInfo {
  /** The process exit status of the CLI for an error with this code. */
  readonly exit: number;
  /** One line: what went wrong (the README's "Errors" table shows it). */
  readonly meaning: string;
}

const BAD_INPUT = 2;

/** The kernel's codes: those of the kernel, the CLI, training, lottery and codes several plugins share. */
const KERNEL_ERROR_CODES = {
  AMBIGUOUS_MODEL: { exit: BAD_INPUT, meaning: 'Two loaded model families accept the same model name.' },
  BAD_ARGS: { exit: BAD_INPUT, meaning: 'Arguments that cannot go together (two trunks, --rewinding_steps with --pretrain, ...).' },
  BAD_CHECKPOINT: { exit: BAD_INPUT, meaning: 'A model file does not fit the network it is loaded into.' },
  BAD_CONFIG: { exit: BAD_INPUT, meaning: 'lth.config.ts (or a plugin setting in it) is invalid.' },
  BAD_FLAG: { exit: BAD_INPUT, meaning: 'A flag is malformed (a value given to a switch, ...).' },
  BAD_HPARAM: { exit: BAD_INPUT, meaning: 'A hyperparameter or flag value is invalid.' },
  BAD_LEVEL: { exit: BAD_INPUT, meaning: 'A level is not a non-negative integer or `pretrain`.' },
  BAD_LEVELS: { exit: BAD_INPUT, meaning: 'A --levels list is malformed, runs backwards or goes beyond the highest level.' },
  BAD_MASK: { exit: BAD_INPUT, meaning: 'A mask holds entries other than 0 and 1, or does not fit the network.' },
  BAD_PRETRAIN: { exit: BAD_INPUT, meaning: 'The pretraining dataset gives the network other shapes than the main dataset.' },
  BAD_REPLICATE: { exit: BAD_INPUT, meaning: 'The replicate is not a positive integer.' },
  BAD_RESIZE: { exit: BAD_INPUT, meaning: 'An image resize to a size that is not a positive integer.' },
  BAD_STEP: { exit: BAD_INPUT, meaning: 'A step (`200it`, `2ep`) is malformed, negative, too large or trains for nothing.' },
  BAD_SWEEP: { exit: BAD_INPUT, meaning: 'A sweep list or range in a flag is malformed.' },
  BATCH_TOO_SMALL: { exit: BAD_INPUT, meaning: 'Batch norm in training got one value per channel: the batch is too small.' },
  CHECKSUM_MISMATCH: { exit: BAD_INPUT, meaning: 'A downloaded file has the wrong checksum; it was discarded.' },
  CONFLICTING_HPARAMS: { exit: BAD_INPUT, meaning: 'Two hyperparameters that exclude each other are both set.' },
  CORRUPT_CHECKPOINT: { exit: BAD_INPUT, meaning: 'The resume checkpoint of a run is unusable.' },
  CORRUPT_DATASET: { exit: BAD_INPUT, meaning: 'A dataset file is damaged or not what its format says.' },
  CORRUPT_DESC: { exit: BAD_INPUT, meaning: 'An experiment\'s desc.json is not valid.' },
  CORRUPT_FILE: { exit: BAD_INPUT, meaning: 'A result file (safetensors, JSON) is damaged.' },
  CORRUPT_LOGGER: { exit: BAD_INPUT, meaning: 'A run\'s logger is damaged or has no test accuracy.' },
  DATASET_MISSING: { exit: BAD_INPUT, meaning: 'A dataset\'s files are not where lth looks for them.' },
  DATASET_UNREADABLE: { exit: BAD_INPUT, meaning: 'A dataset file exists but cannot be read.' },
  DOWNLOAD_FAILED: { exit: BAD_INPUT, meaning: 'A download failed (network, HTTP status, redirects, URL).' },
  DUPLICATE_NAME: { exit: BAD_INPUT, meaning: 'Two contributions (or a workflow and a built-in command) share a name.' },
  FILE_TOO_BIG: { exit: BAD_INPUT, meaning: 'A file would be larger than the file system or `ulimit -f` allows (EFBIG).' },
  FLAG_CONFLICT: { exit: BAD_INPUT, meaning: 'Two hyperparameter groups define the same flag.' },
  IO_ERROR: { exit: BAD_INPUT, meaning: 'The operating system reported an input/output error (EIO, EBUSY, ...).' },
  IS_A_DIRECTORY: { exit: BAD_INPUT, meaning: 'A directory stands where lth reads or writes a file (EISDIR).' },
  LEVEL_NOT_REACHED: { exit: BAD_INPUT, meaning: 'A branch asks for a level its trunk has not trained.' },
  LEVEL_NOT_READY: { exit: BAD_INPUT, meaning: '--level_only names a level whose previous level is not trained.' },
  LOCKED: { exit: 3, meaning: 'Another process is running the same experiment.' },
  MISSING_BRANCH: { exit: 1, meaning: '`lth lottery_branch` without a branch name (prints the branches).' },
  MISSING_FILE: { exit: BAD_INPUT, meaning: 'A file lth needs does not exist (ENOENT).' },
  MISSING_FLAGS: { exit: BAD_INPUT, meaning: 'A required flag is missing.' },
  MISSING_HPARAM: { exit: BAD_INPUT, meaning: 'A required hyperparameter is missing.' },
  MODEL_DATASET_MISMATCH: { exit: BAD_INPUT, meaning: 'The network cannot take the dataset\'s images.' },
  NOT_A_DIRECTORY: { exit: BAD_INPUT, meaning: 'A file stands where lth needs a directory (ENOTDIR).' },
  NOT_A_TRUNK: { exit: BAD_INPUT, meaning: 'A --trunk path is not a lottery experiment directory.' },
  NOT_WRITABLE: { exit: BAD_INPUT, meaning: 'A path cannot be written (EACCES, EPERM, EROFS).' },
  NO_CWD: { exit: BAD_INPUT, meaning: 'The current directory no longer exists.' },
  NO_SPACE: { exit: BAD_INPUT, meaning: 'No space is left on the device, or the quota is exceeded.' },
  NO_TRUNK: { exit: BAD_INPUT, meaning: 'A branch names a lottery experiment that was never run.' },
  OUTPUT_CLOSED: { exit: BAD_INPUT, meaning: 'The reader of lth\'s output went away (EPIPE).' },
  PATH_TOO_LONG: { exit: BAD_INPUT, meaning: 'A path is too long for the file system.' },
  PLUGIN_DEPENDENCY: { exit: BAD_INPUT, meaning: 'A plugin needs another plugin that is not loaded before it.' },
  PLUGIN_DUPLICATE: { exit: BAD_INPUT, meaning: 'A plugin is listed twice.' },
  PLUGIN_INCOMPATIBLE: { exit: BAD_INPUT, meaning: 'A plugin supports another version of @lth/kernel.' },
  PLUGIN_INVALID: { exit: BAD_INPUT, meaning: 'A plugin\'s manifest or decorators are invalid.' },
  PLUGIN_LOAD_FAILED: { exit: BAD_INPUT, meaning: 'A plugin\'s code threw while loading.' },
  PLUGIN_NOT_FOUND: { exit: BAD_INPUT, meaning: 'A plugin named in lth.config.ts cannot be resolved.' },
  PRUNE_TOO_MUCH: { exit: BAD_INPUT, meaning: 'A pruning step would remove every remaining weight.' },
  SWEEP_FAILED: { exit: BAD_INPUT, meaning: 'Some jobs of a sweep failed.' },
  SYMLINK_LOOP: { exit: BAD_INPUT, meaning: 'A path goes through a loop of symbolic links.' },
  TOO_MANY_FILES: { exit: BAD_INPUT, meaning: 'Too many open files (EMFILE, ENFILE).' },
  TRUNK_MISMATCH: { exit: BAD_INPUT, meaning: 'Flags given with --trunk disagree with that trunk.' },
  UNEXPECTED_ARGUMENT: { exit: BAD_INPUT, meaning: 'A positional argument the command does not take.' },
  UNKNOWN_BATCHNORM_INITIALIZER: { exit: BAD_INPUT, meaning: 'No batch-norm initializer has this name.' },
  UNKNOWN_BRANCH: { exit: 1, meaning: 'No branch has this name (prints the branches).' },
  UNKNOWN_COMMAND: { exit: 1, meaning: 'No command has this name.' },
  UNKNOWN_DATASET: { exit: BAD_INPUT, meaning: 'No loaded dataset has this name.' },
  UNKNOWN_FLAG: { exit: BAD_INPUT, meaning: 'The command has no such flag.' },
  UNKNOWN_HPARAM: { exit: BAD_INPUT, meaning: 'A hyperparameter group has no such field.' },
  UNKNOWN_INITIALIZER: { exit: BAD_INPUT, meaning: 'No initializer has this name (--model_init).' },
  UNKNOWN_LAYER: { exit: BAD_INPUT, meaning: 'A layer named in a flag is not a prunable weight of the model.' },
  UNKNOWN_MODEL: { exit: BAD_INPUT, meaning: 'No loaded model family accepts this model name.' },
  UNKNOWN_OPTIMIZER: { exit: BAD_INPUT, meaning: 'No optimizer has this name.' },
  UNKNOWN_PLATFORM: { exit: BAD_INPUT, meaning: 'No loaded platform has this name.' },
  UNKNOWN_STRATEGY: { exit: BAD_INPUT, meaning: 'No loaded pruning strategy has this name.' },
  UNKNOWN_WORKFLOW: { exit: BAD_INPUT, meaning: 'No loaded workflow has this name.' },
  UNSUPPORTED_HPARAM: { exit: BAD_INPUT, meaning: 'A hyperparameter of OpenLTH that lth cannot honour.' },
} as const satisfies Record<string, ErrorCodeInfo>;

/**
 * Every `LthError` code, the one catalog: a code is a key of this interface, so a misspelt code
 * is a compile error. The kernel declares its codes here; a plugin adds the codes of its own
 * errors by declaration merging and registers what they mean when it loads, each code written
 * once:
 *
 * ```ts
 * import { addErrorCodes, type ErrorCodeInfo } from '@lth/kernel';
 *
 * const MY_ERROR_CODES = {
 *   MY_PLUGIN_FAILED: { exit: 2, meaning: 'What went wrong, in one line.' },
 * } as const satisfies Record<string, ErrorCodeInfo>;
 *
 * type MyErrorCodes = Record<keyof typeof MY_ERROR_CODES, ErrorCodeInfo>;
 * declare module '@lth/kernel' {
 *   interface ErrorCodes extends MyErrorCodes {}
 * }
 * addErrorCodes(MY_ERROR_CODES);
 * ```
 *
 * Codes are stable (tests and scripts match on them); each has one exit status, which the CLI
 * uses for every error with that code (1: a command or branch name, 3: `LOCKED`, 2: the rest).
 */
export interface ErrorCodes extends Record<keyof typeof KERNEL_ERROR_CODES, ErrorCodeInfo> {}

/** An `LthError` code: a key of the catalog `ErrorCodes`. */
export type ErrorCode = keyof ErrorCodes & string;

const catalog = new Map<string, ErrorCodeInfo>(Object.entries(KERNEL_ERROR_CODES));

/**
 * Registers what a plugin's own codes (declared in `ErrorCodes` by declaration merging) mean.
 * A code registered again must say the same; the kernel's codes cannot be redefined.
 */
export function addErrorCodes(codes: { readonly [K in ErrorCode]?: ErrorCodeInfo }): void {
  for (const [code, info] of Object.entries(codes) as [string, ErrorCodeInfo][]) {
    const known = catalog.get(code);
    if (known && (known.exit !== info.exit || known.meaning !== info.meaning)) {
      throw new Error(`Error code ${code} is already catalogued (exit ${known.exit}: ${known.meaning}); a plugin cannot redefine it.`);
    }
    if (!/^[A-Z][A-Z0-9_]*$/.test(code) || !Number.isInteger(info.exit) || info.exit < 1 || info.exit > 125) {
      throw new Error(`Error code ${code} must be UPPER_SNAKE_CASE with an exit status from 1 to 125.`);
    }
    catalog.set(code, info);
  }
}

/** What the catalog says of `code`; a code no loaded plugin registered exits with status 2. */
export function errorCodeInfo(code: ErrorCode): ErrorCodeInfo {
  return catalog.get(code) ?? { exit: BAD_INPUT, meaning: '' };
}

/** Every registered code (the kernel's and those of the loaded plugins), sorted. */
export function errorCatalog(): ReadonlyArray<readonly [ErrorCode, ErrorCodeInfo]> {
  return [...catalog.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) as [ErrorCode, ErrorCodeInfo][];
}
