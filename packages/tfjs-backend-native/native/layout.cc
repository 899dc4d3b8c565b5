#include <cstring>

#include "common.h"

namespace tn {
namespace {

// transpose(x, shape, perm, out): out[i_perm[0], ...] = x[i_0, ...]
void transpose(const Napi::CallbackInfo& info) {
  Dims shape = dims(info, 1, "shape"), perm = dims(info, 2, "perm");
  size_t r = shape.size();
  check(perm.size() == r, "perm must have one entry per dimension");
  int64_t n = product(shape);
  const float* x = f32p(info, 0, "x", n);
  float* o = f32p(info, 3, "out", n);
  if (n == 0) return;
  Dims xs(r), os(r), ostr(r);
  int64_t k = 1;
  for (size_t i = r; i-- > 0;) {
    xs[i] = k;
    k *= shape[i];
  }
  std::vector<bool> seen(r, false);
  for (size_t i = 0; i < r; ++i) {
    check(perm[i] < static_cast<int64_t>(r) && !seen[perm[i]], "perm is not a permutation");
    seen[perm[i]] = true;
    os[i] = shape[perm[i]];
  }
  // Stride in x of each output dimension.
  Dims src(r);
  for (size_t i = 0; i < r; ++i) src[i] = xs[perm[i]];
  int64_t inner = os[r - 1], innerStride = src[r - 1];
  int64_t outer = n / inner;
#pragma omp parallel for schedule(static) if (n > 32768)
  for (int64_t row = 0; row < outer; ++row) {
    int64_t off = 0, rem = row;
    for (size_t d = r - 1; d-- > 0;) {
      off += (rem % os[d]) * src[d];
      rem /= os[d];
    }
    float* orow = o + row * inner;
    const float* xp = x + off;
    if (innerStride == 1) {
      std::memcpy(orow, xp, sizeof(float) * inner);
    } else {
      for (int64_t j = 0; j < inner; ++j) orow[j] = xp[j * innerStride];
    }
  }
}

}  // namespace

void registerLayout(Napi::Env env, Napi::Object exports) { TN_EXPORT(exports, "transpose", transpose); }

}  // namespace tn
