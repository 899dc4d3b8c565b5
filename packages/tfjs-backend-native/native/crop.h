#pragma once
#include <cstdint>
#include <cstring>

namespace tn {

// Trailing rows/columns of an NHWC image that no strided window reaches. oneDNN would need a
// negative right/bottom padding to describe them, which some of its jit kernels (1x1 stride-2
// backward weights in oneDNN 2.6) mishandle and overrun the heap; the kernels instead run on
// the covered [H - cropH, W - cropW] part and copy in/out of it.
struct Crop {
  int64_t N = 0, H = 0, W = 0, C = 0, cropH = 0, cropW = 0;
  bool active() const { return cropH > 0 || cropW > 0; }
  int64_t Hc() const { return H - cropH; }
  int64_t Wc() const { return W - cropW; }
  int64_t croppedSize() const { return N * Hc() * Wc() * C; }

  // src [N, H, W, C] -> dst [N, Hc, Wc, C].
  void shrink(const float* src, float* dst) const {
    const int64_t rows = N * Hc(), row = Wc() * C, hc = Hc();
#pragma omp parallel for schedule(static) if (rows * row > 65536)
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t n = r / hc, h = r % hc;
      std::memcpy(dst + r * row, src + (n * H + h) * W * C, sizeof(float) * row);
    }
  }

  // src [N, Hc, Wc, C] -> dst [N, H, W, C], zeros in the cropped rows and columns.
  void grow(const float* src, float* dst) const {
    const int64_t rows = N * H, row = Wc() * C, hc = Hc(), full = W * C;
#pragma omp parallel for schedule(static) if (rows * full > 65536)
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t n = r / H, h = r % H;
      float* out = dst + r * full;
      if (h >= hc) {
        std::memset(out, 0, sizeof(float) * full);
        continue;
      }
      std::memcpy(out, src + (n * hc + h) * row, sizeof(float) * row);
      if (full > row) std::memset(out + row, 0, sizeof(float) * (full - row));
    }
  }
};

}  // namespace tn
