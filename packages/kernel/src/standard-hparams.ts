import { bool, float, fraction, group, Hparams, int, nonNegative, positive, str } from './hparams';
import { stepList, stepString } from './step';

/* eslint-disable @typescript-eslint/naming-convention -- field names are OpenLTH's flags */

@group({ name: 'Dataset Hyperparameters', description: 'Hyperparameters that select the dataset, data augmentation, and other data transformations.' })
export class DatasetHparams extends Hparams {
  @str({ help: 'The name of the dataset. Examples: mnist, fashion_mnist, cifar10' })
  dataset_name!: string;
  @int({ help: 'The size of the mini-batches on which to train. Example: 64', validate: positive })
  batch_size!: number;
  @bool({ help: 'If True, data augmentation is disabled. It is enabled by default.' })
  do_not_augment!: boolean;
  @int({ default: null, help: 'The random seed that controls dataset transformations like random labels, subsampling, and unsupervised labels.' })
  transformation_seed!: number | null;
  @float({ default: null, help: 'Subsample the training set, retaining the specified fraction: float in (0, 1]', validate: fraction })
  subsample_fraction!: number | null;
  @float({ default: null, help: 'Apply random labels to a fraction of the training set: float in (0, 1]', validate: fraction })
  random_labels_fraction!: number | null;
  @str({ default: null, help: 'Replace the standard labels with alternative, unsupervised labels. Example: rotation', choices: ['rotation'] })
  unsupervised_labels!: string | null;
  @int({ default: null, help: 'Blur the training set by downsampling and then upsampling by this multiple.', validate: (v: number) => (v >= 1 ? undefined : 'must be at least 1') })
  blur_factor!: number | null;
}

@group({ name: 'Model Hyperparameters', description: 'Hyperparameters that select the model, initialization, and weight freezing.' })
export class ModelHparams extends Hparams {
  @str({ help: 'The name of the model. Examples: mnist_lenet_300_100, cifar_resnet_20, cifar_vgg_16' })
  model_name!: string;
  @str({ help: 'The model initializer. Examples: kaiming_normal, kaiming_uniform, binary, orthogonal' })
  model_init!: string;
  @str({ help: 'The batchnorm initializer. Examples: uniform, fixed' })
  batchnorm_init!: string;
  @bool({ help: 'If True, all batch normalization parameters are frozen at initialization.' })
  batchnorm_frozen!: boolean;
  @bool({ help: 'If True, all output layer parameters are frozen at initialization.' })
  output_frozen!: boolean;
  @bool({ help: 'If True, all other (non-output, non-batchnorm) parameters are frozen at initialization.' })
  others_frozen!: boolean;
  @str({ default: null, help: 'A comma-separated list of any tensors that should not be frozen.', list: true })
  others_frozen_exceptions!: string | null;
  @int({ default: null, help: 'lth: the seed of the model initialization. Unset: derived from the replicate, so each replicate is reproducible.' })
  model_seed!: number | null;
}

@group({ name: 'Training Hyperparameters', description: 'Hyperparameters that determine how the model is trained.' })
export class TrainingHparams extends Hparams {
  @str({ help: 'The optimizer with which to train the network. Examples: sgd, adam' })
  optimizer_name!: string;
  @float({ help: 'The learning rate', validate: positive })
  lr!: number;
  @str({ help: "The number of steps to train as epochs ('160ep') or iterations ('50000it').", validate: stepString })
  training_steps!: string;
  @int({ default: null, help: 'The random seed for the data order. If not set, the data order is random and unrepeatable.' })
  data_order_seed!: number | null;
  @float({ default: 0.0, help: 'The momentum to use with the SGD optimizer.', validate: nonNegative })
  momentum!: number;
  @float({ default: 0.0, help: 'The nesterov momentum to use with the SGD optimizer. Cannot set both momentum and nesterov_momentum.', validate: nonNegative })
  nesterov_momentum!: number;
  @str({ default: null, help: "Steps when the learning rate drops by a factor of gamma. Written as comma-separated steps (80ep,160ep,240ep) where steps are epochs ('160ep') or iterations ('50000it').", validate: stepList, list: true })
  milestone_steps!: string | null;
  @float({ default: null, help: 'The factor at which to drop the learning rate at each milestone.', validate: positive })
  gamma!: number | null;
  @str({ default: null, help: "Steps of linear lr warmup at the start of training as epochs ('20ep') or iterations ('800it')", validate: stepString })
  warmup_steps!: string | null;
  @float({ default: null, help: 'The L2 penalty to apply to the weights.', validate: nonNegative })
  weight_decay!: number | null;
  @bool({ help: 'Whether to train the model in float16 using the NVIDIA Apex library (not available in lth).' })
  apex_fp16!: boolean;
}

/** The base pruning group: only the strategy. Each strategy subclasses it with its own fields. */
@group({ name: 'Pruning Hyperparameters', description: 'Hyperparameters that determine how the model is pruned. More hyperparameters will appear once the pruning strategy is selected.' })
export class PruningHparams extends Hparams {
  @str({ help: 'The pruning strategy to use.' })
  pruning_strategy!: string;
}

/** OpenLTH's "High-Level Arguments": never hashed. */
@group({ name: 'High-Level Arguments', description: 'Arguments that determine how the job is run and where it is stored.' })
export class JobArgs extends Hparams {
  @int({ default: 1, help: 'The index of this particular replicate. Use a different replicate number to run another copy of the same experiment.', validate: positive })
  replicate!: number;
  @str({ default: null, help: 'Populate all arguments with the default hyperparameters for this model.' })
  default_hparams!: string | null;
  @bool({ help: 'Suppress output.' })
  quiet!: boolean;
  @bool({ help: 'Run the test set only before and after training. Otherwise, will run every epoch.' })
  evaluate_only_at_end!: boolean;
}
