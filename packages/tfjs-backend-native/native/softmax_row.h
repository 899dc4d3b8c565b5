#pragma once
#include <cmath>
#include <cstdint>

namespace tn {

// One row of a stable softmax: writes exp(x[c] - max) to e, sets max, and returns the sum of
// the exponentials (accumulated in double).
inline double expShiftedRow(const float* x, int64_t cols, float* e, float& max) {
  float m = x[0];
  for (int64_t c = 1; c < cols; ++c) m = x[c] > m ? x[c] : m;
  double s = 0;
  for (int64_t c = 0; c < cols; ++c) {
    e[c] = std::exp(x[c] - m);
    s += e[c];
  }
  max = m;
  return s;
}

}  // namespace tn
