export { RetrainBranch, retrainStartStep } from './retrain';
