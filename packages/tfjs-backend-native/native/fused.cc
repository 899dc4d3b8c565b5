#include <cmath>
#include <string>

#include "common.h"
#include "softmax_row.h"

namespace tn {
namespace {

const int32_t* labelsOf(const Napi::CallbackInfo& info, size_t i, int64_t rows) {
  check(info.Length() > i && info[i].IsTypedArray(), "labels must be an Int32Array");
  auto ta = info[i].As<Napi::TypedArray>();
  check(ta.TypedArrayType() == napi_int32_array, "labels must be an Int32Array");
  auto a = info[i].As<Napi::Int32Array>();
  check(static_cast<int64_t>(a.ElementLength()) >= rows, "labels is too short");
  return a.Data();
}

// softmaxCrossEntropy(logits, rows, cols, labels, probs, loss): probs = softmax(logits) per row,
// loss[0] = mean over rows of -log probs[label] (computed as log-sum-exp minus the logit).
void softmaxCrossEntropy(const Napi::CallbackInfo& info) {
  int64_t rows = num(info, 1, "rows"), cols = num(info, 2, "cols");
  const float* x = f32p(info, 0, "logits", rows * cols);
  const int32_t* labels = labelsOf(info, 3, rows);
  float* probs = f32p(info, 4, "probs", rows * cols);
  float* loss = f32p(info, 5, "loss", 1);
  check(cols > 0, "logits need at least one class");
  for (int64_t r = 0; r < rows; ++r) {
    check(labels[r] >= 0 && labels[r] < cols,
          "label " + std::to_string(labels[r]) + " is outside [0, " + std::to_string(cols) + ")");
  }
  double total = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* pr = probs + r * cols;
    float m;
    double s = expShiftedRow(xr, cols, pr, m);
    float inv = static_cast<float>(1.0 / s);
    for (int64_t c = 0; c < cols; ++c) pr[c] *= inv;
    total += std::log(s) + m - xr[labels[r]];
  }
  loss[0] = rows == 0 ? NAN : static_cast<float>(total / static_cast<double>(rows));
}

// softmaxCrossEntropyGrad(probs, rows, cols, labels, scale, out): out = scale * (probs - onehot).
void softmaxCrossEntropyGrad(const Napi::CallbackInfo& info) {
  int64_t rows = num(info, 1, "rows"), cols = num(info, 2, "cols");
  const float* p = f32p(info, 0, "probs", rows * cols);
  const int32_t* labels = labelsOf(info, 3, rows);
  float scale = static_cast<float>(dbl(info, 4, "scale"));
  float* o = f32p(info, 5, "out", rows * cols);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) o[r * cols + c] = scale * (p[r * cols + c] - (c == labels[r] ? 1.f : 0.f));
  }
}

// sgdUpdate(w, g, buf, mask, outW, outBuf, lr, momentum, nesterov, weightDecay): one step of
// torch.optim.SGD on a masked parameter, in the order @lth/kernel's sgdUpdate composes it:
// g *= mask; d = g + wd*w; buf' = (buf ? mu*buf + d : d) * mask; d = nesterov ? d + mu*buf' : buf';
// w' = (w + d*(-lr)) * mask. buf, mask and outBuf may be null (no momentum state yet, no mask,
// no momentum).
void sgdUpdate(const Napi::CallbackInfo& info) {
  auto wa = f32(info, 0, "w");
  int64_t n = static_cast<int64_t>(wa.ElementLength());
  const float* w = wa.Data();
  const float* g = f32p(info, 1, "g", n);
  const float* buf = f32opt(info, 2, "buf", n);
  const float* mask = f32opt(info, 3, "mask", n);
  float* ow = f32p(info, 4, "outW", n);
  float* ob = f32opt(info, 5, "outBuf", n);
  float lr = static_cast<float>(dbl(info, 6, "lr")), mu = static_cast<float>(dbl(info, 7, "momentum"));
  bool nesterov = info[8].ToBoolean();
  float wd = static_cast<float>(dbl(info, 9, "weightDecay"));
  float neglr = -lr;
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    float m = mask ? mask[i] : 1.f;
    float d = mask ? g[i] * m : g[i];
    if (wd != 0.f) d = d + w[i] * wd;
    if (ob) {
      float b = buf ? buf[i] * mu + d : d;
      if (mask) b = b * m;
      ob[i] = b;
      d = nesterov ? d + b * mu : b;
    }
    float nw = w[i] + d * neglr;
    ow[i] = mask ? nw * m : nw;
  }
}

}  // namespace

void registerFused(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "softmaxCrossEntropy", softmaxCrossEntropy);
  TN_EXPORT(exports, "softmaxCrossEntropyGrad", softmaxCrossEntropyGrad);
  TN_EXPORT(exports, "sgdUpdate", sgdUpdate);
}

}  // namespace tn
