import type { Scalar, Tensor1D, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import type { Hparams, HparamsClass } from './hparams';
import type { DatasetHparams, JobArgs, ModelHparams, PruningHparams, TrainingHparams } from './standard-hparams';
import type { Rng } from './rng';
import type { Mask } from './mask';
import type { Step } from './step';
import type { DependencyContainer } from 'tsyringe';
import type { Registry } from './registry/registry';

/* ------------------------------------------------------------------------------------------ */
/* Datasets                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/** Sizes of a named dataset, known without loading it. */
export interface DatasetInfo {
  readonly numTrainExamples: number;
  readonly numTestExamples: number;
  readonly numClasses: number;
  /** Height, width, channels of one example as the model sees it. */
  readonly imageShape: readonly [number, number, number];
}

/** Where a dataset family finds its files and how it may fetch them. */
export interface DatasetContext {
  /** The platform's dataset root (`~/open_lth_datasets` by default). */
  readonly datasetRoot: string;
  /**
   * A platform setting a plugin declared with `@dataset({ ..., platformKeys })` (ImageNet's
   * `imagenetRoot`): its environment variable, else the config's `platform.<key>`, else null.
   */
  setting(key: string): string | null;
  /** Worker threads the platform allows for decoding. */
  readonly numWorkers: number;
  /**
   * What a dataset that decodes files per batch (ImageNet) does with a file it cannot decode:
   * `fail` (the default) stops with an error naming it; `skip` reports it once and uses
   * another example of the same class in its place. From `platform.onCorruptImage`.
   */
  readonly onCorruptImage?: 'fail' | 'skip';
  /** Writes one line to the user (download progress, which files were found). */
  log(line: string): void;
}

/**
 * One split of a dataset, ready to batch. Labels are in memory; images are produced batch by
 * batch, normalised, as float32 NHWC.
 */
export interface ImageSource {
  readonly size: number;
  readonly numClasses: number;
  readonly imageShape: readonly [number, number, number];
  /** Labels, one per example (transformations may replace them). */
  readonly labels: Int32Array;
  /**
   * Writes the normalised images of `indices` into `out` (`indices.length * H * W * C` floats,
   * NHWC). `augment` is a seeded generator when training augmentation is on, else null.
   */
  fill(indices: Int32Array, out: Float32Array, augment: Rng | null): void | Promise<void>;
  /** Releases worker threads or file handles, if any. */
  close?(): void | Promise<void>;
}

/**
 * A dataset family: one or more dataset names (`mnist`, `fashion_mnist`) with their loader.
 * Register it with `@dataset({ names: [...] })` on the class.
 */
export interface DatasetFamily {
  info(name: string): DatasetInfo;
  /**
   * Loads a split. `augment` says whether training augmentation will be requested. Missing
   * files are downloaded (when possible) or reported with one `LthError` naming what to put
   * where; corrupt files are named.
   */
  load(name: string, split: 'train' | 'test', ctx: DatasetContext, augment: boolean): Promise<ImageSource>;
}

/* ------------------------------------------------------------------------------------------ */
/* Models                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/**
 * What a state entry is, which decides initialisation, pruning and freezing:
 * Linear and Conv2d weights are prunable and initialised by `model_init`; batch-norm weight and
 * bias by `batchnorm_init`; biases keep PyTorch's default; buffers are not trained.
 */
export type StateRole = 'linear.weight' | 'conv.weight' | 'bias' | 'bn.weight' | 'bn.bias' | 'buffer';

/**
 * How lth holds a tensor compared with PyTorch. `same`: identical (`Linear` weights are
 * `[out, in]` in both). `conv2d`: lth holds `[kh, kw, in, out]` (tfjs' HWIO) and PyTorch
 * `[out, in, kh, kw]`; files always use PyTorch's layout.
 */
export type TorchLayout = 'same' | 'conv2d';

/** One entry of a model's state dict. */
export interface StateEntry {
  /** PyTorch name, exactly OpenLTH's (`fc_layers.0.weight`, `blocks.3.bn1.running_mean`). */
  readonly name: string;
  readonly variable: Variable;
  readonly role: StateRole;
  readonly layout: TorchLayout;
  /** PyTorch dtype in files: `int64` for `num_batches_tracked`, else `float32`. */
  readonly torchDtype: 'float32' | 'int64';
  /** Fan-in of a Linear or Conv2d weight (or of the layer a bias belongs to). */
  readonly fanIn?: number;
}

/**
 * A built network: its state (parameters and buffers, in PyTorch `state_dict` order), the
 * names OpenLTH considers prunable and output, and forward and loss functions. Activations are
 * NHWC. `forward(x, true)` uses batch statistics and updates running statistics.
 */
export interface Model {
  readonly name: string;
  readonly state: readonly StateEntry[];
  /** `<module>.weight` of every Conv2d and Linear, in module order (OpenLTH). */
  readonly prunableLayerNames: readonly string[];
  /** The output layer's parameters (`fc.weight`, `fc.bias`). */
  readonly outputLayerNames: readonly string[];
  forward(x: Tensor4D, training: boolean): Tensor2D;
  /** Mean cross-entropy of logits against integer labels. */
  loss(logits: Tensor2D, labels: Tensor1D): Scalar;
  dispose(): void;
}

/** Default hyperparameters a model family proposes for `--default_hparams` (plain values by field). */
export interface DefaultHparams {
  dataset: Record<string, unknown>;
  model: Record<string, unknown>;
  training: Record<string, unknown>;
  pruning: Record<string, unknown>;
}

/** What a family needs to build one model. */
export interface ModelBuildOptions {
  /** Size of the output layer (the dataset's class count: 4 with rotation labels). */
  readonly outputs: number;
  /** Shape of one input example, HWC. */
  readonly inputShape: readonly [number, number, number];
  /** Draws the default (PyTorch-style) initial values; initializers run after `create`. */
  readonly rng: Rng;
}

/**
 * A model family (`mnist_lenet_N[_M...]`, `cifar_resnet_D[_W]`). Register it with
 * `@model({ pattern: 'mnist_lenet_N[_M...]', description })`.
 */
export interface ModelFamily {
  isValidModelName(name: string): boolean;
  /**
   * Optional: for a name this family does not accept but that is clearly meant for it
   * (`cifar_resnet_21`), one sentence saying what is wrong and what would be valid; null for
   * names that are not this family's at all. The `UNKNOWN_MODEL` error quotes it.
   */
  whyInvalid?(name: string): string | null;
  defaultHparams(name: string): DefaultHparams;
  create(name: string, options: ModelBuildOptions): Model;
}

/** Initialises a Linear or Conv2d weight, given its PyTorch shape; returns values in PyTorch layout. */
export type Initializer = (torchShape: readonly number[], fanIn: number, rng: Rng) => Float32Array;

/** Initialises a batch-norm layer's weight and bias (each of length `channels`). */
export type BatchNormInitializer = (channels: number, rng: Rng) => { weight: Float32Array; bias: Float32Array };

/* ------------------------------------------------------------------------------------------ */
/* Pruning                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/** Training examples a strategy scores with (SNIP's and GraSP's batch): normalised, NHWC. */
export interface PruningBatch {
  /** `size * H * W * C` floats, NHWC, normalised as training sees them (never augmented). */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  /** `[size, H, W, C]`. */
  readonly shape: [number, number, number, number];
}

/**
 * What a pruning strategy may use besides the trained model and the current mask: which level
 * it makes, the network at initialisation, and the training data. The lottery runner passes one
 * to every `prune` call (and the `prune_at_init` branch builds one for a trunk level); a strategy
 * that only looks at the trained weights (`sparse_global`) ignores it. Strategies that score
 * with data or gradients at initialisation (SNIP, GraSP, SynFlow) need it and say so with an
 * `LthError` when called without one.
 *
 * Nothing here writes to disk, and every draw is seeded: the same experiment gives the same
 * batch and the same mask.
 */
export interface PruningContext {
  /** The level whose mask is being made (1 for the first pruning). */
  readonly level: number;
  readonly replicate: number;
  /** One input example's shape, HWC, and the number of outputs of the network. */
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  /** The experiment's `--batch_size`: the default number of examples a data-driven score uses. */
  readonly batchSize: number;
  /**
   * A new network (the caller disposes it) holding the **unpruned** weights every level starts
   * training from: step 0, or the rewind step with rewinding or pretraining. This is "the
   * network at initialisation" of pruning-at-initialisation methods; apply the current mask
   * to it before scoring.
   */
  initialModel(): Model;
  /**
   * `count` examples of the experiment's training split (its dataset hyperparameters, no
   * augmentation), chosen by a seeded permutation: `new Rng('pruning_examples', seed)`. A
   * `count` above the split's size is an `LthError`.
   */
  trainExamples(count: number, seed: string | number): Promise<PruningBatch>;
}

/**
 * A pruning strategy: from a trained model and its current mask to the next mask. Register it
 * with `@strategy({ name: 'sparse_global', hparams: SparseGlobalHparams })`; its hparams class
 * extends `PruningHparams` and its fields become flags once the strategy is selected.
 *
 * `context` (see `PruningContext`) gives strategies that score at initialisation or with data
 * what they need; the lottery runner always passes it and awaits the result, so `prune` may be
 * asynchronous. A strategy that does not need it ignores it and may return the mask directly.
 */
export interface PruningStrategy<H extends PruningHparams = PruningHparams> {
  prune(hparams: H, trainedModel: Model, currentMask: Mask, context?: PruningContext): Mask | Promise<Mask>;
  /**
   * Optional: checks `hparams` against a (freshly built) model and the experiment's `plan`
   * before an experiment writes anything, e.g. that named layers exist, that every planned
   * level can prune what it asks, or that a number of examples fits the training split;
   * throws an `LthError` for bad input. The lottery runner always passes `plan`.
   */
  validate?(hparams: H, model: Model, plan?: PruningPlan): void;
}

/** What an experiment will ask of its pruning strategy, for `PruningStrategy.validate`. */
export interface PruningPlan {
  /** The levels that prune (1 to `levels`; 0 means the strategy never runs). */
  readonly levels: number;
  /** Examples in the training split the experiment trains on (after `--subsample_fraction`). */
  readonly numTrainExamples: number;
  /** The experiment's `--batch_size`. */
  readonly batchSize: number;
}

/* ------------------------------------------------------------------------------------------ */
/* Branches                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/** The trunk groups a group-valued branch argument can default to. */
export type TrunkGroup = 'dataset' | 'model' | 'training';

/**
 * One argument of a branch: a parameter of its `run` method, declared with an `arg.*`
 * decorator (@lth/lottery). It becomes a field of the branch's hparams (`Branch Arguments`), a
 * flag of `lth lottery_branch <name>`, and part of the hashed canonical string, exactly as
 * OpenLTH turns `branch_function`'s annotated parameters into `BranchHparams`.
 */
export interface BranchArgSpec {
  /** The parameter's position in `run(context, ...args)`: 1 for the first argument after the context. */
  readonly index: number;
  /** The field and flag name (`seed`, `start_at`, `retrain_d`). */
  readonly name: string;
  readonly kind: 'int' | 'float' | 'str' | 'bool' | 'group';
  readonly help: string;
  /** Whether `default` was given; a plain argument without one is required, as is every required field of a group without `trunk`. */
  readonly hasDefault: boolean;
  /** The default: a value or `null` (Python's `None`). Booleans always default to false. */
  readonly default?: unknown;
  /** Allowed values of a string argument. */
  readonly choices?: readonly string[];
  /** Checks a given, non-null value; returns a complaint or undefined. */
  readonly validate?: (value: never) => string | undefined;
  /** For `group`: the hparams class whose fields become `--<name>_<field>` flags. */
  readonly group?: HparamsClass;
  /**
   * For `group`: the trunk's group this argument defaults to, field by field: every flag of the
   * group is optional, and those given replace the trunk's values (`--retrain_t_lr=0.01` retrains
   * with the trunk's training hyperparameters at another learning rate). The merged group is
   * what is hashed, so the name says exactly what ran.
   */
  readonly trunk?: TrunkGroup;
}

/** What `@branch` records about a branch class, as the registry's `meta` of kind `branch`. */
export interface BranchMeta {
  /** The branch's arguments in parameter order. */
  readonly args: readonly BranchArgSpec[];
  /** The hashed hyperparameters (`Branch Arguments`). */
  readonly hparams: HparamsClass;
  /** The hparams class its flags are parsed into (the hashed class unless an argument defaults to a trunk group). */
  readonly flags: HparamsClass;
}

/**
 * The trunk a branch runs off: a lottery experiment's hyperparameter groups and steps
 * (@lth/lottery's `LotteryDesc` is one).
 */
export interface BranchTrunk {
  readonly model_hparams: ModelHparams;
  readonly dataset_hparams: DatasetHparams;
  readonly training_hparams: TrainingHparams;
  readonly pruning_hparams: PruningHparams;
  /** The pretraining groups (`--pretrain` or `--rewinding_steps`), or null without pretraining. */
  readonly pretrain_dataset_hparams: DatasetHparams | null;
  readonly pretrain_training_hparams: TrainingHparams | null;
  /** The rewind step every level starts training from (step 0 without rewinding or pretraining). */
  readonly trainStartStep: Step;
  /** The end of every level's training. */
  readonly trainEndStep: Step;
  /** Iterations per epoch of the main dataset (or of the pretraining dataset). */
  iterationsPerEpoch(pretrain?: boolean): number;
}

/**
 * A point of the trunk's training where a branch can take weights from: `init` (step 0, before
 * any training or pretraining), `rewind` (the rewind step every level starts from: step 0
 * without rewinding or pretraining) and `end` (the end of training).
 */
export type TrunkPoint = 'init' | 'rewind' | 'end';

/** What `BranchContext.train` trains. */
export interface BranchTrainOptions {
  /** The network to train; its pruned weights are zeroed before training starts. */
  readonly model: Model;
  /** The mask kept through training; saved to the branch directory. */
  readonly mask: Mask;
  /** Where training starts (default: the trunk's rewind step). */
  readonly startStep?: Step;
  /** The dataset and training hyperparameters (default: the trunk's). */
  readonly dataset?: DatasetHparams;
  readonly training?: TrainingHparams;
  /**
   * Where to train and save the mask (default: the branch directory): a directory inside it for
   * a branch that trains several networks (instability's `seed_<s>/`).
   */
  readonly outputLocation?: string;
}

/** What `BranchContext.train` reports (@lth/training's `TrainResult` has more). */
export interface BranchTrainResult {
  readonly outputLocation: string;
  readonly endStep: Step;
  /** True when the run had already finished (end model and logger on disk) and nothing ran. */
  readonly alreadyComplete: boolean;
  /** Test accuracy (fraction) at the last evaluated iteration; null when nothing was evaluated. */
  readonly finalAccuracy: number | null;
}

/**
 * Everything a branch's `run` gets besides its arguments, for one trunk level: where the trunk
 * and the branch live, the trunk's desc and steps, and helpers that load the level's mask, the
 * trunk's weights at a step, a freshly initialised network, and train in the branch directory
 * with a mask. @lth/lottery's `BranchContext` class implements it.
 */
export interface BranchContext {
  /** The trunk's desc. */
  readonly desc: BranchTrunk;
  readonly branchName: string;
  readonly level: number;
  readonly replicate: number;
  readonly platform: Platform;
  readonly out: Output;
  readonly verbose: boolean;
  readonly evaluateEveryEpoch: boolean;
  /** The results root. */
  readonly root: string;
  /** The trunk level's directory, `level_<L>/main`. */
  readonly levelRoot: string;
  /** This branch's directory for this level, `level_<L>/lottery_branch_<name>_<md5>`. */
  readonly branchRoot: string;
  /** Step 0 on the trunk's main dataset. */
  readonly stepZero: Step;
  /** The rewind step every trunk level starts training from. */
  readonly trainStartStep: Step;
  /** The end of every trunk level's training. */
  readonly trainEndStep: Step;
  /** The step of a trunk point on the main dataset: 0, the rewind step, or the end step. */
  trunkStep(at: TrunkPoint): Step;
  /**
   * The file the trunk's unpruned weights at `at` come from: level 0 (the dense network) at that
   * step, or for `init` with pretraining or rewinding, the pretraining run's step-0 weights,
   * the network's true initialisation (level 0 only has weights from the rewind step on).
   */
  trunkWeightsFile(at: TrunkPoint): string;
  /**
   * The trunk's unpruned weights at `at` (see `trunkWeightsFile`), in a new network of the main
   * task. They are level 0's, never a pruned level's, so every weight a branch's mask keeps has
   * its trained (or initial) value, not the zero IMP gave it (OpenLTH quirk 30, fixed). With
   * pretraining on a task with a different number of classes, the output layer of `init` is
   * the main network's own initialisation, as level 0's is.
   */
  trunkWeights(at: TrunkPoint): Model;
  /** The file of the trunk level's own weights at `step` (its start and end, saved IMP-masked). */
  levelWeightsFile(step: Step): string;
  /** The trunk level's own weights at `step`, as the level trained them (pruned weights are zero). */
  levelWeights(step: Step): Model;
  /** The trunk level's mask, for `model`'s weights (by default a throwaway network of the trunk's). */
  levelMask(model?: Model): Mask;
  /**
   * A freshly initialised network of the trunk's model, initialiser and task, drawn from `seed`
   * (any string or number; the same seed gives the same weights). Without a seed it is the
   * trunk's own initialisation (`model_seed`, or the replicate).
   */
  buildModel(seed?: number | string): Model;
  /** Whether a file exists (for `validate`: the weights a run will need). */
  exists(file: string): boolean;
  /** Prints a line when the branch is verbose (and this is the primary process). */
  log(line: string): void;
  /**
   * Trains `model` in the branch directory (or `options.outputLocation`), OpenLTH's
   * `standard_train` with a mask: zeroes the pruned weights, saves the mask
   * (`mask.safetensors`, `sparsity_report.json`), then trains
   * from `startStep` (default the rewind step) to the end of `training` with the mask enforced
   * after every step. Finished training is skipped and interrupted training resumes from its
   * checkpoint.
   */
  train(options: BranchTrainOptions): Promise<BranchTrainResult>;
}

/**
 * A branch: an experiment run off a trunk level of a lottery experiment (OpenLTH's `Branch`,
 * spec §10), such as retraining the level's sparse network from a random reinitialisation.
 * The contribution kind `branch`; @lth/lottery's abstract `Branch` class implements it and its
 * `@branch` decorator registers one, with a `BranchMeta`.
 *
 * A branch is a class in a plugin. Its `run(context, ...args)` does the work for one level;
 * the parameters after the context are its arguments, each declared with an `arg.*` decorator
 * (type, default, help, or a whole hparams group). From those declarations come the branch's
 * hashed hyperparameters (`Branch Arguments`), its `lth lottery_branch <name>` flags, and the
 * name of its output directory, `level_<L>/lottery_branch_<name>_<md5>`, hashed exactly as
 * OpenLTH hashes branch arguments. The `@branch({ name, description })` class decorator
 * registers it:
 *
 * ```ts
 * @branch({ name: 'randomly_reinitialize', description: 'Randomly reinitialize the model.' })
 * export class RandomlyReinitialize extends Branch {
 *   async run(
 *     context: BranchContext,
 *     @arg.bool('start_at_step_zero', { help: 'Train from step 0 instead of the rewind step.' }) startAtStepZero: boolean,
 *   ): Promise<void> {
 *     const model = context.buildModel('my-seed');
 *     const mask = context.levelMask(model);
 *     await context.train({ model, mask, startStep: startAtStepZero ? context.stepZero : context.trainStartStep });
 *   }
 * }
 * ```
 *
 * The runner calls `validate` for every requested level before anything is written, then
 * `preflight` once, then, per level, writes the branch's `hparams.log` and `desc.json` and calls
 * `run`. A run that finds its results on disk should return quickly (`context.train` does:
 * finished training is skipped, interrupted training resumes from its checkpoint). After the
 * last level the runner calls `summarize` when the branch has one.
 */
export interface Branch<C extends BranchContext = BranchContext> {
  /**
   * Checks the arguments against the trunk before anything is written (layer names exist, the
   * files the run needs are there); throws an `LthError` for bad input. Called once per level.
   */
  validate?(context: C, ...args: never[]): void;
  /**
   * Optional: asynchronous checks before anything is written, after `validate` has passed at
   * every level; called once, with the first requested level's context. For checks that read
   * data: `retrain` loads the dataset it retrains on here, so a missing or corrupt one is one
   * error and no branch directory.
   */
  preflight?(context: C, ...args: never[]): Promise<void>;
  /** Runs the branch for `context.level` with the arguments in parameter order. */
  run(context: C, ...args: never[]): Promise<void>;
  /**
   * Optional: called once after `run` has finished at every requested level, with the contexts
   * of those levels in order and the same arguments, before the runner prints the experiment
   * table. A branch whose results are not a training run's accuracy prints its own summary
   * here (`instability` prints one row per level).
   */
  summarize?(contexts: readonly C[], ...args: never[]): void | Promise<void>;
}

/* ------------------------------------------------------------------------------------------ */
/* Platforms                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/**
 * A setting of `lth.config.ts`'s `platform` section that a plugin reads, declared by a dataset
 * family with `@dataset({ names, platformKeys: { imagenetRoot: { help, env: 'LTH_IMAGENET_ROOT' } } })`.
 * The platforms then accept the key (an unknown one is still an error with the closest known
 * key), read it (`platformSettings`) and hand it to datasets as `DatasetContext.setting(key)`.
 * A plugin types it by declaration merging:
 * `declare module '@lth/kernel' { interface PlatformConfig { imagenetRoot?: string } }`.
 */
export interface PlatformKey {
  /** What it is, shown where lth lists the settings. */
  readonly help: string;
  /** An environment variable that overrides the config for one command (`LTH_IMAGENET_ROOT`). */
  readonly env?: string;
  /** `path` (the default): `~` is expanded and the value made absolute; `string`: as given. */
  readonly kind?: 'path' | 'string';
}

/** The platform section of `lth.config.ts`. */
export interface PlatformConfig {
  /** Registered platform name (default `local`). */
  name?: string;
  /** Results root (default `~/open_lth_data`). */
  root?: string;
  /** Dataset root (default `~/open_lth_datasets`). */
  datasetRoot?: string;
  /** Tensor backend: `auto`, `native`, `wasm`, `cpu`, `tensorflow` (tfjs-node) ... */
  backend?: string;
  /** Worker threads for data loading. */
  numWorkers?: number;
  /** Threads for a native tensor backend's kernels (default: every core). */
  numThreads?: number;
  /** What to do with an image file that cannot be decoded (see `DatasetContext.onCorruptImage`). */
  onCorruptImage?: 'fail' | 'skip';
  [key: string]: unknown;
}

/**
 * Where data and results live, which tensor backend runs, and the distributed primitives the
 * rest of the code calls at the right places even with one process.
 */
export interface Platform {
  readonly name: string;
  readonly root: string;
  readonly datasetRoot: string;
  /** A setting a plugin declared (`PlatformKey`): its environment variable, else the config's value, else null. */
  setting(key: string): string | null;
  readonly numWorkers: number;
  /** The tfjs backend in use, once `setup` has run. */
  readonly backend: string;
  /** Initialises the tensor backend (printing once which one it took). */
  setup(log: (line: string) => void): Promise<void>;
  /** What a dataset does with an image it cannot decode: fail (default) or skip it. */
  readonly onCorruptImage?: 'fail' | 'skip';
  readonly isDistributed: boolean;
  readonly rank: number;
  readonly worldSize: number;
  readonly isPrimary: boolean;
  barrier(): Promise<void>;
  /**
   * Optional: a platform that runs jobs elsewhere (a batch scheduler) submits them instead of
   * running them here. The CLI calls it, with every job of the command (one per sweep point,
   * all parsed and checked), in place of `setup` and `Workflow.run`.
   */
  submit?(jobs: readonly JobInvocation[], context: SubmitContext): Promise<void>;
}

/** One job of a command line as a platform that submits it sees it (one point of a sweep). */
export interface JobInvocation {
  /** The workflow (`lottery`, `lottery_branch`, `train` ...). */
  readonly command: string;
  readonly workflow: Workflow;
  /** The parsed job. */
  readonly job: Job;
  /**
   * The command line that runs this job alone on the machine that executes it: flags and
   * positionals after the command name, with the sweep's lists replaced by this point's values
   * and without `--platform`, `--jobs`, `--display_output_location` and the platform's own
   * flags (the job adds `--platform=local` and whatever else it needs).
   */
  readonly workerArgv: readonly string[];
  /** This point of the sweep (`replicate=2 lr=0.05`); empty when the command is no sweep. */
  readonly label: string;
}

/** What a submitting platform needs besides the jobs. */
export interface SubmitContext {
  /** The program that runs lth on a node: `[node, .../bin/run.js]`. */
  readonly lth: readonly string[];
  /** The working directory of the command (jobs run there, so they find the same configuration). */
  readonly cwd: string;
  readonly out: Output;
}

/**
 * A platform kind. Register it with `@platform({ name: 'local', hparams: LocalPlatformHparams })`:
 * the hparams class's fields become CLI flags (`--num_workers`, `--backend`).
 */
export interface PlatformFactory<H extends Hparams = Hparams> {
  create(flags: H, config: PlatformConfig): Platform;
}

/* ------------------------------------------------------------------------------------------ */
/* Workflows                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/** A block of flags built from one hparams group; `--help` shows one section per group. */
export interface FlagGroup {
  /** Where the parsed group goes in `Job.groups` (`dataset`, `model`, `pretrain_training` ...). */
  readonly key: string;
  readonly hparams: HparamsClass;
  /** Flag prefix: `--<prefix>_<field>`. */
  readonly prefix?: string;
  /** Section title and description (default: the group's). */
  readonly title?: string;
  readonly description?: string;
  /** Defaults from `--default_hparams`, by field name. */
  readonly defaults?: Record<string, unknown>;
  /** A field that is only shown and parsed (not built into an Hparams), e.g. `--levels`. */
  readonly plain?: boolean;
  /**
   * Flags (names without dashes) that every flag of this group needs on the command line: the
   * CLI declares them as each flag's oclif `dependsOn` (the `--pretrain_*` groups depend on
   * `--pretrain`).
   */
  readonly dependsOn?: readonly string[];
}

/**
 * The kind of a selector flag: `str` (`--default_hparams=NAME`) or `bool` (a switch: `--pretrain`).
 */
export type SelectorKind = 'str' | 'bool';

/**
 * The selector flags a workflow declares, by flag name (`{ default_hparams: 'str', pretrain:
 * 'bool' }`). A selector is a flag whose value decides which flags the command has: which
 * defaults the groups take (`--default_hparams`), which group a strategy brings
 * (`--pruning_strategy`), which groups exist at all (`--pretrain`). The CLI cannot know the
 * command's flags before it knows the selectors, so it reads them (and the positionals) with a
 * lenient first look at the command line, hands them to `Workflow.flagGroups`, and only then
 * parses the whole line strictly with the flags the groups define. A selector must also be a
 * flag of one of the groups it selects (or of the common groups), so that it parses, shows in
 * `--help` and is validated like any other. A comma list in a `str` selector written
 * `--name=a,b` is a sweep whose points are planned one by one (each value has its own flags).
 */
export type SelectorSpecs = Readonly<Record<string, SelectorKind>>;

/**
 * The selectors read from one command line, for `Workflow.flagGroups`: the value of each
 * declared selector that was given (the last occurrence's; `true` for a switch), by flag name,
 * absent when not given, and the positional arguments. A workflow narrows the type to its own
 * selectors (`Selectors & { readonly pretrain?: boolean }`, see `LotterySelectors` in
 * `@lth/lottery`).
 */
export interface Selectors {
  /** Positional arguments after the command (the branch name for `lottery_branch`). */
  readonly positionals: readonly string[];
  readonly [flag: string]: string | boolean | readonly string[] | undefined;
}

/** A positional argument a workflow declares (`lottery_branch`: the branch name). */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  /** Shown as `[name]` instead of `<name>` in the usage line. */
  readonly optional?: boolean;
}

/** How a workflow talks to the user. */
export interface Output {
  readonly quiet: boolean;
  readonly isTTY: boolean;
  line(text: string): void;
  /**
   * Optional: a line printed even when quiet, for where the results of a job are (the last
   * line of `lth lottery --quiet`). Without it, `line` is used.
   */
  result?(text: string): void;
  /** A progress bar on a terminal (a no-op object otherwise). */
  progress(total: number, label: string): { update(done: number, info?: string): void; stop(): void };
}

/** One invocation of a workflow, after flags are parsed. */
export interface Job {
  /** Built groups by `FlagGroup.key`. */
  readonly groups: Readonly<Record<string, Hparams>>;
  readonly args: JobArgs;
  readonly platform: Platform;
  readonly positionals: readonly string[];
  readonly out: Output;
  /** The session's registry: the contributions this job may look up (datasets, models, strategies ...). */
  readonly registry: Registry;
  /**
   * The job's child container (of the session's): holds `TOKENS.Platform` and `TOKENS.Output`
   * besides the session's services, for code that resolves per-job services.
   */
  readonly container: DependencyContainer;
}

/**
 * A command (`train`, `lottery`, `lottery_branch`, or one a plugin adds). Register it with
 * `@workflow({ name: 'train', description: 'Train a model.' })`.
 */
export interface Workflow {
  /**
   * Optional: false for a command that trains nothing (a listing, a report): the CLI then
   * runs it without setting up the platform's tensor backend (no "Backend:" line, no native
   * library loaded). Default true.
   */
  readonly needsBackend?: boolean;
  /**
   * Optional: the selector flags this workflow's `flagGroups` depends on (see `SelectorSpecs`);
   * none by default. `--platform` is the CLI's own selector (it adds the platform's flags).
   */
  readonly selectors?: SelectorSpecs;
  /** Optional: the positional arguments the command takes, in order (none by default). */
  readonly positionals?: readonly PositionalSpec[];
  /**
   * The flag groups of one command line, given its selectors: the CLI turns every field into a
   * typed oclif flag (section `helpGroup` the group's title) and parses the line once with them.
   * It may throw an `LthError` for a selector's value (an unknown model or branch name).
   */
  flagGroups(selectors: Selectors): FlagGroup[];
  /** Paths of the results this job writes (for `--display_output_location`). */
  outputLocations(job: Job): string[];
  run(job: Job): Promise<void>;
}

/* ------------------------------------------------------------------------------------------ */
/* Contributions, sessions and injection                                                       */
/* ------------------------------------------------------------------------------------------ */

/**
 * What each kind of contribution is, by kind name: the registry's lookups are typed from it
 * (`registry.get('model', name).instance` is a `ModelFamily`). It is an interface so that a
 * package can add a kind by declaration merging and have it typed end to end:
 *
 * ```ts
 * declare module '@lth/kernel' {
 *   interface ContributionKinds { analysis: Analysis }
 * }
 * // then, in a plugin: a decorator that calls declareContribution({ kind: 'analysis', ... }),
 * // and anywhere: registry.get('analysis', 'hessian').instance is an Analysis.
 * ```
 *
 * (The test kit's `sessions.test.ts` adds `analysis` this way.)
 */
export interface ContributionKinds {
  dataset: DatasetFamily;
  model: ModelFamily;
  strategy: PruningStrategy;
  branch: Branch;
  platform: PlatformFactory;
  workflow: Workflow;
  initializer: Initializer;
  batchnorm_initializer: BatchNormInitializer;
}

/** The kinds of things a plugin can contribute: the keys of `ContributionKinds`. */
export type ContributionKind = keyof ContributionKinds & string;

/** One registered contribution: its name, what it is, who contributed it, and the instance. */
export interface Contribution<T = unknown> {
  readonly kind: ContributionKind;
  readonly name: string;
  readonly description: string;
  /** The plugin (package name or path) that registered it; `(kernel)` for the kernel's own. */
  readonly plugin: string;
  readonly instance: T;
  /** Extra data by kind: a strategy's or platform's hparams class, a model family's pattern ... */
  readonly meta: Record<string, unknown>;
}

/**
 * Injection tokens of the services a session's container holds (tsyringe; `reflect-metadata`
 * and `tsyringe` are shared with out-of-tree plugins like `@tensorflow/tfjs-core`, so a
 * plugin's `@injectable()` and `@inject()` are the host's). A contribution class receives them
 * through its constructor when its plugin is loaded into a session:
 *
 * ```ts
 * @injectable()
 * @strategy({ name: 'my_strategy', hparams: MyHparams })
 * export class MyStrategy implements PruningStrategy {
 *   constructor(@inject(TOKENS.Config) private readonly config: ResolvedConfig,
 *               @inject(TOKENS.Registry) private readonly registry: Registry) {}
 * }
 * ```
 *
 * - `Registry`: the session's `Registry` (contributions by kind and name).
 * - `Config`: the session's `ResolvedConfig` (`lth.config.ts`, where it was found).
 * - `Container`: the session's own child container.
 * - `Platform` and `Output`: the running job's `Platform` and `Output`, registered in each job's
 *   child container (`Job.container`) before its workflow runs; not in the session's container,
 *   since contributions are built when plugins load, before any job exists.
 *
 * One child container of tsyringe's root container per session (the CLI opens one per process;
 * each test opens its own), so two sessions in one process share no contribution and no state.
 */
export const TOKENS = {
  Registry: Symbol.for('lth.Registry'),
  Config: Symbol.for('lth.Config'),
  Container: Symbol.for('lth.Container'),
  Platform: Symbol.for('lth.Platform'),
  Output: Symbol.for('lth.Output'),
} as const;
