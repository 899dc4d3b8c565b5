#include <cmath>

#include "common.h"
#include "softmax_row.h"

namespace tn {
namespace {

// softmax(x, rows, cols, out, log)
void softmax(const Napi::CallbackInfo& info) {
  int64_t rows = num(info, 1, "rows"), cols = num(info, 2, "cols");
  const float* x = f32p(info, 0, "x", rows * cols);
  float* o = f32p(info, 3, "out", rows * cols);
  bool logMode = info.Length() > 4 && info[4].ToBoolean();
  if (cols == 0) return;
#pragma omp parallel for schedule(static) if (rows * cols > 16384)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* orow = o + r * cols;
    float m;
    double s = expShiftedRow(xr, cols, orow, m);
    if (logMode) {
      float ls = static_cast<float>(std::log(s)) + m;
      for (int64_t c = 0; c < cols; ++c) orow[c] = xr[c] - ls;
    } else {
      float inv = static_cast<float>(1.0 / s);
      for (int64_t c = 0; c < cols; ++c) orow[c] *= inv;
    }
  }
}

}  // namespace

void registerSoftmax(Napi::Env env, Napi::Object exports) { TN_EXPORT(exports, "softmax", softmax); }

}  // namespace tn
