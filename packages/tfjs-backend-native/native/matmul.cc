#include <cblas.h>
#include <omp.h>

#include <cstdlib>
#include <cstring>

#include <oneapi/dnnl/dnnl.h>

#include "activation.h"
#include "common.h"

namespace tn {
namespace {

// One sgemm split across the OpenMP team: OpenBLAS runs single-threaded inside each thread, so
// OpenBLAS and oneDNN share one pool of threads instead of contending for the cores.
bool useOneDnnGemm() {
  static const bool v = [] {
    const char* e = std::getenv("LTH_NATIVE_GEMM");
    return e != nullptr && std::strcmp(e, "onednn") == 0;
  }();
  return v;
}

void gemm(bool tA, bool tB, int64_t M, int64_t N, int64_t K, const float* a, const float* b,
          float beta, float* c) {
  if (useOneDnnGemm()) {
    dnnl_status_t st = dnnl_sgemm(tA ? 'T' : 'N', tB ? 'T' : 'N', M, N, K, 1.f, a, tA ? M : K, b,
                                  tB ? K : N, beta, c, N);
    check(st == dnnl_success, "dnnl_sgemm failed");
    return;
  }
  int lda = static_cast<int>(tA ? M : K), ldb = static_cast<int>(tB ? K : N);
  int ldc = static_cast<int>(N);
  auto ta = tA ? CblasTrans : CblasNoTrans, tb = tB ? CblasTrans : CblasNoTrans;
  int nt = omp_get_max_threads();
  double flops = static_cast<double>(M) * N * K;
  if (nt <= 1 || flops < 262144.0) {
    cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, 1.f, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  bool splitM = M >= N || N < 16 * nt;
#pragma omp parallel num_threads(nt)
  {
    int t = omp_get_thread_num(), n = omp_get_num_threads();
    if (splitM) {
      int64_t m0 = M * t / n, m1 = M * (t + 1) / n;
      if (m1 > m0) {
        const float* as = tA ? a + m0 : a + m0 * lda;
        cblas_sgemm(CblasRowMajor, ta, tb, m1 - m0, N, K, 1.f, as, lda, b, ldb, beta, c + m0 * ldc, ldc);
      }
    } else {
      int64_t n0 = (N * t / n) & ~int64_t(15), n1 = t == n - 1 ? N : (N * (t + 1) / n) & ~int64_t(15);
      if (n1 > n0) {
        const float* bs = tB ? b + n0 * ldb : b + n0;
        cblas_sgemm(CblasRowMajor, ta, tb, M, n1 - n0, K, 1.f, a, lda, bs, ldb, beta, c + n0, ldc);
      }
    }
  }
}

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
    for (int64_t i = 0; i < batch; ++i) {
      const float* ai = a + (batchA == 1 ? 0 : i) * M * K;
      const float* bi = b + (batchB == 1 ? 0 : i) * K * N;
      gemm(tA, tB, M, N, K, ai, bi, beta, c + i * M * N);
    }
  }
  applyActivation(c, batch * M * N, act, alpha);
}

}  // namespace

void registerMatmul(Napi::Env env, Napi::Object exports) { TN_EXPORT(exports, "matmul", matmul); }

}  // namespace tn
