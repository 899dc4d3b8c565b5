#include <cblas.h>

#include "activation.h"
#include "common.h"

namespace tn {
namespace {

// matmul(a, b, out, batchA, batchB, M, N, K, transA, transB, bias, act, alpha)
void matmul(const Napi::CallbackInfo& info) {
  int64_t batchA = num(info, 3, "batchA"), batchB = num(info, 4, "batchB");
  int64_t M = num(info, 5, "M"), N = num(info, 6, "N"), K = num(info, 7, "K");
  bool tA = info[8].ToBoolean(), tB = info[9].ToBoolean();
  check(batchA == batchB || batchA == 1 || batchB == 1, "incompatible batch dimensions");
  int64_t batch = batchA > batchB ? batchA : batchB;
  const float* a = f32p(info, 0, "a", batchA * M * K);
  const float* b = f32p(info, 1, "b", batchB * K * N);
  float* c = f32p(info, 2, "out", batch * M * N);
  auto biasArr = info.Length() > 10 && info[10].IsTypedArray() ? f32(info, 10, "bias") : Napi::Float32Array();
  int64_t biasLen = biasArr.IsEmpty() ? 0 : static_cast<int64_t>(biasArr.ElementLength());
  check(biasLen == 0 || biasLen == N || biasLen == 1, "bias must have length N or 1");
  int act = info.Length() > 11 ? static_cast<int>(num(info, 11, "activation")) : 0;
  float alpha = info.Length() > 12 ? static_cast<float>(dbl(info, 12, "alpha")) : 0.f;
  const float* bias = biasLen ? biasArr.Data() : nullptr;

  float beta = 0.f;
  if (bias) {
    beta = 1.f;
    int64_t rows = batch * M;
#pragma omp parallel for schedule(static) if (rows * N > 32768)
    for (int64_t r = 0; r < rows; ++r) {
      float* row = c + r * N;
      if (biasLen == 1)
        for (int64_t j = 0; j < N; ++j) row[j] = bias[0];
      else
        for (int64_t j = 0; j < N; ++j) row[j] = bias[j];
    }
  }
  if (M == 0 || N == 0) return;
  if (K == 0) {
    if (!bias)
      for (int64_t i = 0; i < batch * M * N; ++i) c[i] = 0.f;
  } else {
    int lda = static_cast<int>(tA ? M : K), ldb = static_cast<int>(tB ? K : N);
    for (int64_t i = 0; i < batch; ++i) {
      const float* ai = a + (batchA == 1 ? 0 : i) * M * K;
      const float* bi = b + (batchB == 1 ? 0 : i) * K * N;
      cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans,
                  static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), 1.f, ai, lda, bi,
                  ldb, beta, c + i * M * N, static_cast<int>(N));
    }
  }
  applyActivation(c, batch * M * N, act, alpha);
}

}  // namespace

void registerMatmul(Napi::Env env, Napi::Object exports) { TN_EXPORT(exports, "matmul", matmul); }

}  // namespace tn
