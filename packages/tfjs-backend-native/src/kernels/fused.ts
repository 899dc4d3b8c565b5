import { KernelConfig, TensorInfo, util } from '@tensorflow/tfjs-core';
import { addon } from '../addon';
import { nativeKernel } from './native_kernel';

/**
 * Softmax cross-entropy of logits `[N, K]` (float32) against labels `[N]` (int32): outputs the
 * mean loss (a scalar) and the softmax probabilities, which its gradient kernel takes.
 */
export const FUSED_SOFTMAX_CROSS_ENTROPY = 'FusedSoftmaxCrossEntropy';
/** `dlogits = dy / N · (probs − onehot(labels))`; inputs `dy` (scalar), `probs`, `labels`. */
export const FUSED_SOFTMAX_CROSS_ENTROPY_GRAD = 'FusedSoftmaxCrossEntropyGrad';
/**
 * One `torch.optim.SGD` step of a parameter: inputs `w`, `g` and optionally `buf` (momentum
 * buffer) and `mask`; attrs `lr`, `momentum`, `nesterov`, `weightDecay`; outputs the new `w`
 * and, when `momentum` is not 0, the new buffer.
 */
export const FUSED_SGD_UPDATE = 'FusedSgdUpdate';

const crossEntropy = nativeKernel(FUSED_SOFTMAX_CROSS_ENTROPY, ({ inputs, backend }) => {
  const { logits, labels } = inputs as { logits: TensorInfo; labels: TensorInfo };
  const xv = backend.f32(logits), lv = backend.i32(labels);
  if (xv == null || lv == null || logits.shape.length !== 2) return null;
  const [rows, cols] = logits.shape;
  const loss = backend.allocate([]), probs = backend.allocate(logits.shape);
  addon().softmaxCrossEntropy(xv, rows, cols, lv, probs.values, loss.values);
  return [loss.info, probs.info];
});

const crossEntropyGrad = nativeKernel(FUSED_SOFTMAX_CROSS_ENTROPY_GRAD, ({ inputs, backend }) => {
  const { dy, probs, labels } = inputs as { dy: TensorInfo; probs: TensorInfo; labels: TensorInfo };
  const dv = backend.f32(dy), pv = backend.f32(probs), lv = backend.i32(labels);
  if (dv == null || pv == null || lv == null || probs.shape.length !== 2) return null;
  const [rows, cols] = probs.shape;
  const out = backend.allocate(probs.shape);
  addon().softmaxCrossEntropyGrad(pv, rows, cols, lv, rows === 0 ? 0 : dv[0] / rows, out.values);
  return out.info;
});

const sgdUpdate = nativeKernel(FUSED_SGD_UPDATE, ({ inputs, backend, attrs }) => {
  const { w, g, buf, mask } = inputs as Record<string, TensorInfo | undefined>;
  const { lr, momentum, nesterov, weightDecay } = attrs as unknown as {
    lr: number; momentum: number; nesterov: boolean; weightDecay: number;
  };
  const wv = backend.f32(w), gv = backend.f32(g);
  const bv = buf == null ? null : backend.f32(buf), mv = mask == null ? null : backend.f32(mask);
  if (wv == null || gv == null || (buf != null && bv == null) || (mask != null && mv == null)) return null;
  if ([g, buf, mask].some((t) => t != null && !util.arraysEqual(t.shape, w!.shape))) return null;
  const outW = backend.allocate(w!.shape);
  const outBuf = momentum !== 0 ? backend.allocate(w!.shape) : null;
  addon().sgdUpdate(wv, gv, bv, mv, outW.values, outBuf?.values ?? null, lr, momentum, nesterov, weightDecay);
  return outBuf ? [outW.info, outBuf.info] : [outW.info];
});

/** Fused training kernels behind @lth/kernel's `softmaxCrossEntropy` and `sgdUpdate`. */
export const fusedKernels: KernelConfig[] = [crossEntropy, crossEntropyGrad, sgdUpdate];
