import './errors';
/* lth ls and lth report; the plugin manifest is the "lth" key of package.json. */
export { LsArgs, LsWorkflow, listRows, resultsRoot } from './ls/workflow';
export { formatLsTable, lsRows, type LsRow } from './ls/rows';
export { ReportArgs, ReportWorkflow, lotteryDirOf, reportOf, writeReport } from './report/workflow';
export { formatReportCsv, formatReportJson, formatReportTable } from './report/format';
export { lotteryReport, type CurvePoint, type DensityPoint, type LotteryReport, type ReportPoint, type ReportRow } from './report/model';
export { builtinFigures } from './report/charts';
export { renderSvg } from './report/render';
export { readExperiment, scanRoot, type BranchExperiment, type Experiment, type RunRef } from './results/scan';
export { readRun, type Density, type RunData, type RunStatus } from './results/run';
export { nonDefaultHparams } from './results/hparams';
export { reportExtension, reportExtensionsOf, type RegisteredReportExtension, type ReportExtension, type ReportFigure } from './extensions';
export { stat, type Stat } from './stats';

