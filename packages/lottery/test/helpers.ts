import '@tensorflow/tfjs-backend-cpu';
import { RecordingOutput, testPlatform, toyLotteryParts, type ToyExperiment } from '@lth/testing';
import { LotteryDesc, LotteryRunner } from '../src';
import { registry } from './fixtures';

export type { ToyExperiment } from '@lth/testing';

/** The small experiment the end-to-end tests run: LeNet 20_10 on 240 synthetic images (`lottery_toy`), 8 iterations per epoch. */
export function toyDesc(x: ToyExperiment = {}): LotteryDesc {
  return LotteryDesc.create(toyLotteryParts(registry, 'lottery_toy', x));
}

export function toyRunner(root: string, desc: LotteryDesc, levels: number, out = new RecordingOutput(), replicate = 1): { runner: LotteryRunner; out: RecordingOutput } {
  return { runner: new LotteryRunner({ desc, levels, replicate, platform: testPlatform(root), out, evaluateEveryEpoch: true }), out };
}

/** The experiment of the kill-and-resume test (run in child processes and in the test's own). */
export function resumeTestDesc(): LotteryDesc {
  return toyDesc({ training: { training_steps: '3ep', momentum: 0.9 } });
}
