#pragma once
#include <cmath>
#include <cstdint>

namespace tn {

enum Act { ACT_LINEAR = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_LEAKYRELU = 3, ACT_SIGMOID = 4, ACT_ELU = 5 };

inline void applyActivation(float* y, int64_t n, int act, float alpha) {
  if (act == ACT_LINEAR) return;
#pragma omp parallel for simd schedule(static) if (n > 32768)
  for (int64_t i = 0; i < n; ++i) {
    float v = y[i];
    switch (act) {
      case ACT_RELU: v = v > 0.f ? v : 0.f; break;
      case ACT_RELU6: v = v > 0.f ? (v < 6.f ? v : 6.f) : 0.f; break;
      case ACT_LEAKYRELU: v = v > 0.f ? v : alpha * v; break;
      case ACT_SIGMOID: v = 1.f / (1.f + std::exp(-v)); break;
      case ACT_ELU: v = v > 0.f ? v : std::exp(v) - 1.f; break;
      default: break;
    }
    y[i] = v;
  }
}

}  // namespace tn
