#include <omp.h>

#include <cmath>
#include <limits>

#include "common.h"

namespace tn {
namespace {

enum RedOp { SUM = 0, MEAN, MAX, MIN, PROD };

template <int OP>
struct Acc {
  static double init() {
    if constexpr (OP == MAX) return -std::numeric_limits<double>::infinity();
    if constexpr (OP == MIN) return std::numeric_limits<double>::infinity();
    if constexpr (OP == PROD) return 1.0;
    return 0.0;
  }
  static double step(double acc, double v) {
    if constexpr (OP == MAX) return (v > acc || v != v) ? v : acc;
    if constexpr (OP == MIN) return (v < acc || v != v) ? v : acc;
    if constexpr (OP == PROD) return acc * v;
    return acc + v;
  }
};

// Reduces x viewed as [outer, r, inner] over the middle axis.
template <int OP>
void run(const float* x, float* o, int64_t outer, int64_t r, int64_t inner) {
  const double scale = OP == MEAN ? 1.0 / static_cast<double>(r) : 1.0;
  const int threads = omp_get_max_threads();
  if (inner == 1) {
#pragma omp parallel for schedule(static) if (outer * r > 32768)
    for (int64_t i = 0; i < outer; ++i) {
      const float* p = x + i * r;
      double acc = Acc<OP>::init();
      if constexpr (OP == SUM || OP == MEAN) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int64_t k = 0;
        for (; k + 4 <= r; k += 4) {
          s0 += p[k];
          s1 += p[k + 1];
          s2 += p[k + 2];
          s3 += p[k + 3];
        }
        for (; k < r; ++k) s0 += p[k];
        acc = (s0 + s1) + (s2 + s3);
      } else {
        for (int64_t k = 0; k < r; ++k) acc = Acc<OP>::step(acc, p[k]);
      }
      o[i] = static_cast<float>(acc * scale);
    }
    return;
  }
  if (outer >= threads * 2 || outer * r * inner <= 32768) {
#pragma omp parallel for schedule(static) if (outer * r * inner > 32768)
    for (int64_t i = 0; i < outer; ++i) {
      std::vector<double> acc(inner, Acc<OP>::init());
      const float* p = x + i * r * inner;
      for (int64_t k = 0; k < r; ++k)
        for (int64_t j = 0; j < inner; ++j) acc[j] = Acc<OP>::step(acc[j], p[k * inner + j]);
      for (int64_t j = 0; j < inner; ++j) o[i * inner + j] = static_cast<float>(acc[j] * scale);
    }
    return;
  }
  for (int64_t i = 0; i < outer; ++i) {
    const float* p = x + i * r * inner;
    std::vector<double> partial(static_cast<size_t>(threads) * inner, Acc<OP>::init());
#pragma omp parallel
    {
      int t = omp_get_thread_num(), nt = omp_get_num_threads();
      int64_t lo = r * t / nt, hi = r * (t + 1) / nt;
      double* acc = partial.data() + static_cast<size_t>(t) * inner;
      if constexpr (OP == SUM || OP == MEAN) {
        std::vector<float> facc(inner, 0.f);
        int64_t blk = 64;
        for (int64_t k0 = lo; k0 < hi; k0 += blk) {
          int64_t k1 = k0 + blk < hi ? k0 + blk : hi;
          for (int64_t j = 0; j < inner; ++j) facc[j] = 0.f;
          for (int64_t k = k0; k < k1; ++k) {
            const float* row = p + k * inner;
#pragma omp simd
            for (int64_t j = 0; j < inner; ++j) facc[j] += row[j];
          }
          for (int64_t j = 0; j < inner; ++j) acc[j] += facc[j];
        }
      } else {
        for (int64_t k = lo; k < hi; ++k)
          for (int64_t j = 0; j < inner; ++j) acc[j] = Acc<OP>::step(acc[j], p[k * inner + j]);
      }
    }
    for (int64_t j = 0; j < inner; ++j) {
      double acc = Acc<OP>::init();
      for (int t = 0; t < threads; ++t) acc = Acc<OP>::step(acc, partial[static_cast<size_t>(t) * inner + j]);
      o[i * inner + j] = static_cast<float>(acc * scale);
    }
  }
}

// reduce(op, x, outer, r, inner, out)
void reduce(const Napi::CallbackInfo& info) {
  int op = static_cast<int>(num(info, 0, "op"));
  int64_t outer = num(info, 2, "outer"), r = num(info, 3, "r"), inner = num(info, 4, "inner");
  const float* x = f32p(info, 1, "x", outer * r * inner);
  float* o = f32p(info, 5, "out", outer * inner);
  check(r > 0, "cannot reduce an empty axis");
  switch (op) {
    case SUM: return run<SUM>(x, o, outer, r, inner);
    case MEAN: return run<MEAN>(x, o, outer, r, inner);
    case MAX: return run<MAX>(x, o, outer, r, inner);
    case MIN: return run<MIN>(x, o, outer, r, inner);
    case PROD: return run<PROD>(x, o, outer, r, inner);
    default: throw Error("unknown reduce op " + std::to_string(op));
  }
}

}  // namespace

void registerReduce(Napi::Env env, Napi::Object exports) { TN_EXPORT(exports, "reduce", reduce); }

}  // namespace tn
