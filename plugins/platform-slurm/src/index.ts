export { SlurmPlatformHparams } from './hparams';
export { slurmSettings, sbatchResourceArgs, type SlurmConfig, type SlurmSettings } from './settings';
export { SlurmPlatform, SlurmPlatformFactory } from './slurm-platform';
export { submitJobs, type SubmitSummary } from './submit';
export { planUnits, type Unit, type UnitPlan } from './plan';
export { allRecords, jobState, readRecord, readStatus, SLURM_DIR, type JobRecord, type JobStatus, type JobState } from './records';
export { CLUSTER_HINT, sbatch, scancel, squeue } from './slurm-commands';
export { CancelWorkflow, jobStates, StatusWorkflow } from './status';
export { runWrapper, type TaskTable } from './wrapper';
