#include <omp.h>

#include <cmath>

#include "common.h"

namespace tn {
namespace {

struct Param {
  const float* p;
  int64_t len;
  float at(int64_t c, float dflt) const { return p ? p[len == 1 ? 0 : c] : dflt; }
};

Param param(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t C) {
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) return {nullptr, 0};
  auto a = f32(info, i, name);
  int64_t len = static_cast<int64_t>(a.ElementLength());
  check(len == C || len == 1, std::string(name) + " must have one value per channel");
  return {a.Data(), len};
}

// Per-channel sums of f(row, c) over rows, accumulated in double across threads.
template <typename F>
void channelSums(int64_t rows, int64_t C, int nsums, std::vector<double>& out, F f) {
  int threads = omp_get_max_threads();
  std::vector<double> partial(static_cast<size_t>(threads) * nsums * C, 0.0);
#pragma omp parallel if (rows * C > 16384)
  {
    int t = omp_get_thread_num(), nt = omp_get_num_threads();
    int64_t lo = rows * t / nt, hi = rows * (t + 1) / nt;
    double* acc = partial.data() + static_cast<size_t>(t) * nsums * C;
    std::vector<float> facc(static_cast<size_t>(nsums) * C);
    for (int64_t r0 = lo; r0 < hi; r0 += 64) {
      int64_t r1 = r0 + 64 < hi ? r0 + 64 : hi;
      std::fill(facc.begin(), facc.end(), 0.f);
      for (int64_t r = r0; r < r1; ++r) f(r, facc.data());
      for (size_t k = 0; k < facc.size(); ++k) acc[k] += facc[k];
    }
  }
  out.assign(static_cast<size_t>(nsums) * C, 0.0);
  for (int t = 0; t < threads; ++t)
    for (size_t k = 0; k < out.size(); ++k) out[k] += partial[static_cast<size_t>(t) * nsums * C + k];
}

// bnForward(x, mean, variance, offset, scale, eps, C, out)
void bnForward(const Napi::CallbackInfo& info) {
  auto xa = f32(info, 0, "x");
  int64_t n = static_cast<int64_t>(xa.ElementLength());
  int64_t C = num(info, 6, "channels");
  check(C > 0 && n % C == 0, "x size must be a multiple of the channel count");
  Param mean = param(info, 1, "mean", C), var = param(info, 2, "variance", C);
  Param off = param(info, 3, "offset", C), sc = param(info, 4, "scale", C);
  check(mean.p && var.p, "mean and variance are required");
  float eps = static_cast<float>(dbl(info, 5, "varianceEpsilon"));
  float* o = f32p(info, 7, "out", n);
  const float* x = xa.Data();
  std::vector<float> a(C), b(C);
  for (int64_t c = 0; c < C; ++c) {
    float rs = 1.f / std::sqrt(var.at(c, 1.f) + eps);
    a[c] = sc.at(c, 1.f) * rs;
    b[c] = off.at(c, 0.f) - mean.at(c, 0.f) * a[c];
  }
  int64_t rows = n / C;
  const float* ap = a.data();
  const float* bp = b.data();
#pragma omp parallel for schedule(static) if (n > 32768)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * C;
    float* orow = o + r * C;
#pragma omp simd
    for (int64_t c = 0; c < C; ++c) orow[c] = xr[c] * ap[c] + bp[c];
  }
}

// bnGrad(x, dy, mean, variance, scale, eps, C, dx, dmean, dvariance, dscale, doffset)
// Gradients of FusedBatchNorm with respect to all five inputs, in one pass.
void bnGrad(const Napi::CallbackInfo& info) {
  auto xa = f32(info, 0, "x");
  int64_t n = static_cast<int64_t>(xa.ElementLength());
  int64_t C = num(info, 6, "channels");
  check(C > 0 && n % C == 0, "x size must be a multiple of the channel count");
  const float* x = xa.Data();
  const float* dy = f32p(info, 1, "dy", n);
  Param mean = param(info, 2, "mean", C), var = param(info, 3, "variance", C);
  Param sc = param(info, 4, "scale", C);
  float eps = static_cast<float>(dbl(info, 5, "varianceEpsilon"));
  float* dx = f32opt(info, 7, "dx", n);
  float* dmean = f32opt(info, 8, "dmean", C);
  float* dvar = f32opt(info, 9, "dvariance", C);
  float* dscale = f32opt(info, 10, "dscale", C);
  float* doff = f32opt(info, 11, "doffset", C);
  int64_t rows = n / C;
  std::vector<float> m(C), rs(C), g(C);
  for (int64_t c = 0; c < C; ++c) {
    m[c] = mean.at(c, 0.f);
    rs[c] = 1.f / std::sqrt(var.at(c, 1.f) + eps);
    g[c] = sc.at(c, 1.f);
  }
  const float* mp = m.data();
  if (dmean || dvar || dscale || doff) {
    std::vector<double> sums;
    channelSums(rows, C, 2, sums, [&](int64_t r, float* acc) {
      const float* xr = x + r * C;
      const float* dr = dy + r * C;
      float* s1 = acc + C;
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) {
        acc[c] += dr[c];
        s1[c] += dr[c] * (xr[c] - mp[c]);
      }
    });
    for (int64_t c = 0; c < C; ++c) {
      double sdy = sums[c], sdyx = sums[C + c];
      if (dmean) dmean[c] = static_cast<float>(-rs[c] * g[c] * sdy);
      if (dvar) dvar[c] = static_cast<float>(-0.5 * rs[c] * rs[c] * rs[c] * g[c] * sdyx);
      if (dscale) dscale[c] = static_cast<float>(rs[c] * sdyx);
      if (doff) doff[c] = static_cast<float>(sdy);
    }
  }
  if (dx) {
    std::vector<float> k(C);
    for (int64_t c = 0; c < C; ++c) k[c] = g[c] * rs[c];
    const float* kp = k.data();
#pragma omp parallel for schedule(static) if (n > 32768)
    for (int64_t r = 0; r < rows; ++r) {
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) dx[r * C + c] = dy[r * C + c] * kp[c];
    }
  }
}

// bnTrainForward(x, scale, offset, eps, C, y, mean, variance, relu): batch statistics
// (biased variance) and normalisation (then max(0, .) when relu) in three passes over x.
void bnTrainForward(const Napi::CallbackInfo& info) {
  auto xa = f32(info, 0, "x");
  int64_t n = static_cast<int64_t>(xa.ElementLength());
  int64_t C = num(info, 4, "channels");
  check(C > 0 && n % C == 0 && n > 0, "x size must be a positive multiple of the channel count");
  const float* x = xa.Data();
  Param sc = param(info, 1, "scale", C), off = param(info, 2, "offset", C);
  float eps = static_cast<float>(dbl(info, 3, "varianceEpsilon"));
  float* y = f32p(info, 5, "y", n);
  float* mean = f32p(info, 6, "mean", C);
  float* var = f32p(info, 7, "variance", C);
  bool relu = info.Length() > 8 && info[8].ToBoolean();
  int64_t rows = n / C;
  std::vector<double> s;
  channelSums(rows, C, 1, s, [&](int64_t r, float* acc) {
    const float* xr = x + r * C;
#pragma omp simd
    for (int64_t c = 0; c < C; ++c) acc[c] += xr[c];
  });
  for (int64_t c = 0; c < C; ++c) mean[c] = static_cast<float>(s[c] / rows);
  const float* mp = mean;
  channelSums(rows, C, 1, s, [&](int64_t r, float* acc) {
    const float* xr = x + r * C;
#pragma omp simd
    for (int64_t c = 0; c < C; ++c) {
      float d = xr[c] - mp[c];
      acc[c] += d * d;
    }
  });
  std::vector<float> a(C), b(C);
  for (int64_t c = 0; c < C; ++c) {
    var[c] = static_cast<float>(s[c] / rows);
    a[c] = sc.at(c, 1.f) / std::sqrt(var[c] + eps);
    b[c] = off.at(c, 0.f) - mean[c] * a[c];
  }
  const float* ap = a.data();
  const float* bp = b.data();
#pragma omp parallel for schedule(static) if (n > 32768)
  for (int64_t r = 0; r < rows; ++r) {
    if (relu) {
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) {
        float v = x[r * C + c] * ap[c] + bp[c];
        y[r * C + c] = v > 0.f ? v : 0.f;
      }
    } else {
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) y[r * C + c] = x[r * C + c] * ap[c] + bp[c];
    }
  }
}

// The gradient of training-mode batch norm, dy taken only where y > 0 when Relu (y is then the
// output of batch norm fused with ReLU).
template <bool Relu>
void bnTrainBackwardImpl(const float* x, const float* dy, const float* y, const float* mean,
                         const float* var, const Param& sc, float eps, int64_t n, int64_t C,
                         float* dx, float* dscale, float* doff) {
  int64_t rows = n / C;
  std::vector<double> sums;
  channelSums(rows, C, 2, sums, [&](int64_t r, float* acc) {
    const float* xr = x + r * C;
    const float* dr = dy + r * C;
    const float* yr = Relu ? y + r * C : nullptr;
    float* s1 = acc + C;
#pragma omp simd
    for (int64_t c = 0; c < C; ++c) {
      float d = dr[c];
      if constexpr (Relu) d = yr[c] > 0.f ? d : 0.f;
      acc[c] += d;
      s1[c] += d * (xr[c] - mean[c]);
    }
  });
  std::vector<float> k1(C), k2(C), k3(C);
  for (int64_t c = 0; c < C; ++c) {
    double rs = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
    double gamma = sc.at(c, 1.f);
    double mdy = sums[c] / rows, mdyx = sums[C + c] / rows;
    if (dscale) dscale[c] = static_cast<float>(sums[C + c] * rs);
    if (doff) doff[c] = static_cast<float>(sums[c]);
    // dx = gamma*rs*(dy - mdy - (x-m)*rs^2*mdyx)
    k1[c] = static_cast<float>(gamma * rs);
    k2[c] = static_cast<float>(gamma * rs * (-mdy + mean[c] * rs * rs * mdyx));
    k3[c] = static_cast<float>(-gamma * rs * rs * rs * mdyx);
  }
  if (!dx) return;
  const float *p1 = k1.data(), *p2 = k2.data(), *p3 = k3.data();
#pragma omp parallel for schedule(static) if (n > 32768)
  for (int64_t r = 0; r < rows; ++r) {
    const float* dr = dy + r * C;
    const float* xr = x + r * C;
    const float* yr = Relu ? y + r * C : nullptr;
    float* dxr = dx + r * C;
#pragma omp simd
    for (int64_t c = 0; c < C; ++c) {
      float d = dr[c];
      if constexpr (Relu) d = yr[c] > 0.f ? d : 0.f;
      dxr[c] = d * p1[c] + p2[c] + xr[c] * p3[c];
    }
  }
}

// bnTrainBackward(x, dy, mean, variance, scale, eps, C, dx, dscale, doffset, y): gradient of
// training-mode batch norm where mean and variance are the batch statistics of x; with y, of
// batch norm fused with ReLU whose output was y.
void bnTrainBackward(const Napi::CallbackInfo& info) {
  auto xa = f32(info, 0, "x");
  int64_t n = static_cast<int64_t>(xa.ElementLength());
  int64_t C = num(info, 6, "channels");
  check(C > 0 && n % C == 0 && n > 0, "x size must be a positive multiple of the channel count");
  const float* x = xa.Data();
  const float* dy = f32p(info, 1, "dy", n);
  const float* mean = f32p(info, 2, "mean", C);
  const float* var = f32p(info, 3, "variance", C);
  Param sc = param(info, 4, "scale", C);
  float eps = static_cast<float>(dbl(info, 5, "varianceEpsilon"));
  float* dx = f32opt(info, 7, "dx", n);
  float* dscale = f32opt(info, 8, "dscale", C);
  float* doff = f32opt(info, 9, "doffset", C);
  const float* y = f32opt(info, 10, "y", n);
  if (y)
    bnTrainBackwardImpl<true>(x, dy, y, mean, var, sc, eps, n, C, dx, dscale, doff);
  else
    bnTrainBackwardImpl<false>(x, dy, nullptr, mean, var, sc, eps, n, C, dx, dscale, doff);
}

}  // namespace

void registerBatchnorm(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "bnForward", bnForward);
  TN_EXPORT(exports, "bnGrad", bnGrad);
  TN_EXPORT(exports, "bnTrainForward", bnTrainForward);
  TN_EXPORT(exports, "bnTrainBackward", bnTrainBackward);
}

}  // namespace tn
