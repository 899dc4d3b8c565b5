import { bool, group, Hparams, int, positive, str } from '@lth/kernel';

/* eslint-disable @typescript-eslint/naming-convention -- field names are the CLI's flags */

/**
 * The flags every workflow command takes besides `JobArgs` and the platform's: which platform
 * runs the job, and whether to only print where its results go. Shown under "High-Level
 * Arguments" with `JobArgs`; never hashed.
 */
@group({ name: 'High-Level Arguments', description: 'Arguments that determine how the job is run and where it is stored.' })
export class CommandArgs extends Hparams {
  @str({ default: 'local', help: 'The platform on which to run the job.' })
  platform!: string;

  @bool({ help: 'Display the output location for this job.' })
  display_output_location!: boolean;

  @int({ default: null, help: 'A sweep on the local platform: how many of its jobs run at once, each in its own process with its share of the cores (default 1: one after another).', validate: positive })
  jobs!: number | null;
}
