#include <cmath>

#include "common.h"

namespace tn {
namespace {

enum BinOp { ADD = 0, SUB, MUL, DIV, MAXIMUM, MINIMUM, SQDIFF, POW, RELU_GRAD, SQUARE_GRAD };

template <int OP>
inline float bin(float x, float y) {
  if constexpr (OP == ADD) return x + y;
  if constexpr (OP == SUB) return x - y;
  if constexpr (OP == MUL) return x * y;
  if constexpr (OP == DIV) return x / y;
  if constexpr (OP == MAXIMUM) return (x != x || y != y) ? NAN : (x > y ? x : y);
  if constexpr (OP == MINIMUM) return (x != x || y != y) ? NAN : (x < y ? x : y);
  if constexpr (OP == SQDIFF) return (x - y) * (x - y);
  if constexpr (OP == POW) return std::pow(x, y);
  if constexpr (OP == RELU_GRAD) return y > 0.f ? x : 0.f;
  if constexpr (OP == SQUARE_GRAD) return x * (2.f * y);
  return 0.f;
}

struct Plan {
  Dims shape, sa, sb;
};

Plan plan(const Dims& aShape, const Dims& bShape, const Dims& outShape) {
  size_t r = outShape.size();
  check(aShape.size() <= r && bShape.size() <= r, "operand rank exceeds output rank");
  Dims as(r, 1), bs(r, 1);
  for (size_t i = 0; i < aShape.size(); ++i) as[r - aShape.size() + i] = aShape[i];
  for (size_t i = 0; i < bShape.size(); ++i) bs[r - bShape.size() + i] = bShape[i];
  Dims sa(r), sb(r);
  int64_t ka = 1, kb = 1;
  for (size_t i = r; i-- > 0;) {
    check(as[i] == outShape[i] || as[i] == 1, "a does not broadcast to the output shape");
    check(bs[i] == outShape[i] || bs[i] == 1, "b does not broadcast to the output shape");
    sa[i] = as[i] == 1 ? 0 : ka;
    sb[i] = bs[i] == 1 ? 0 : kb;
    ka *= as[i];
    kb *= bs[i];
  }
  Plan p;
  for (size_t i = 0; i < r; ++i) {
    if (outShape[i] == 1) continue;
    if (!p.shape.empty()) {
      size_t j = p.shape.size() - 1;
      bool aOk = (sa[i] == 0 && p.sa[j] == 0) || (sa[i] != 0 && p.sa[j] == sa[i] * outShape[i]);
      bool bOk = (sb[i] == 0 && p.sb[j] == 0) || (sb[i] != 0 && p.sb[j] == sb[i] * outShape[i]);
      if (aOk && bOk) {
        p.shape[j] *= outShape[i];
        p.sa[j] = sa[i];
        p.sb[j] = sb[i];
        continue;
      }
    }
    p.shape.push_back(outShape[i]);
    p.sa.push_back(sa[i]);
    p.sb.push_back(sb[i]);
  }
  if (p.shape.empty()) {
    p.shape.push_back(1);
    p.sa.push_back(0);
    p.sb.push_back(0);
  }
  return p;
}

template <int OP>
void run(const float* a, const float* b, float* o, const Plan& p) {
  size_t r = p.shape.size();
  int64_t inner = p.shape[r - 1], ia = p.sa[r - 1], ib = p.sb[r - 1];
  int64_t outer = 1;
  for (size_t i = 0; i + 1 < r; ++i) outer *= p.shape[i];
  int64_t total = outer * inner;
  if (outer == 1) {
    if (ia == 1 && ib == 1) {
#pragma omp parallel for simd schedule(static) if (total > 32768)
      for (int64_t k = 0; k < inner; ++k) o[k] = bin<OP>(a[k], b[k]);
    } else if (ia == 1) {
      const float bv = b[0];
#pragma omp parallel for simd schedule(static) if (total > 32768)
      for (int64_t k = 0; k < inner; ++k) o[k] = bin<OP>(a[k], bv);
    } else if (ib == 1) {
      const float av = a[0];
#pragma omp parallel for simd schedule(static) if (total > 32768)
      for (int64_t k = 0; k < inner; ++k) o[k] = bin<OP>(av, b[k]);
    } else {
      const float v = bin<OP>(a[0], b[0]);
      for (int64_t k = 0; k < inner; ++k) o[k] = v;
    }
    return;
  }
#pragma omp parallel for schedule(static) if (total > 32768)
  for (int64_t row = 0; row < outer; ++row) {
    int64_t offA = 0, offB = 0, rem = row;
    for (size_t d = r - 1; d-- > 0;) {
      int64_t idx = rem % p.shape[d];
      rem /= p.shape[d];
      offA += idx * p.sa[d];
      offB += idx * p.sb[d];
    }
    const float* ap = a + offA;
    const float* bp = b + offB;
    float* op = o + row * inner;
    if (ia == 1 && ib == 1) {
#pragma omp simd
      for (int64_t k = 0; k < inner; ++k) op[k] = bin<OP>(ap[k], bp[k]);
    } else if (ia == 1) {
      float bv = bp[0];
#pragma omp simd
      for (int64_t k = 0; k < inner; ++k) op[k] = bin<OP>(ap[k], bv);
    } else if (ib == 1) {
      float av = ap[0];
#pragma omp simd
      for (int64_t k = 0; k < inner; ++k) op[k] = bin<OP>(av, bp[k]);
    } else {
      for (int64_t k = 0; k < inner; ++k) op[k] = bin<OP>(ap[0], bp[0]);
    }
  }
}

// binary(op, a, aShape, b, bShape, out, outShape)
void binary(const Napi::CallbackInfo& info) {
  int op = static_cast<int>(num(info, 0, "op"));
  Dims aShape = dims(info, 2, "aShape"), bShape = dims(info, 4, "bShape"),
       outShape = dims(info, 6, "outShape");
  const float* a = f32p(info, 1, "a", product(aShape));
  const float* b = f32p(info, 3, "b", product(bShape));
  float* o = f32p(info, 5, "out", product(outShape));
  if (product(outShape) == 0) return;
  Plan p = plan(aShape, bShape, outShape);
  switch (op) {
    case ADD: return run<ADD>(a, b, o, p);
    case SUB: return run<SUB>(a, b, o, p);
    case MUL: return run<MUL>(a, b, o, p);
    case DIV: return run<DIV>(a, b, o, p);
    case MAXIMUM: return run<MAXIMUM>(a, b, o, p);
    case MINIMUM: return run<MINIMUM>(a, b, o, p);
    case SQDIFF: return run<SQDIFF>(a, b, o, p);
    case POW: return run<POW>(a, b, o, p);
    case RELU_GRAD: return run<RELU_GRAD>(a, b, o, p);
    case SQUARE_GRAD: return run<SQUARE_GRAD>(a, b, o, p);
    default: throw Error("unknown binary op " + std::to_string(op));
  }
}

enum UnOp {
  RELU = 0, RELU6, STEP, NEG, EXP, LOG, SQRT, RSQRT, SQUARE, ABS, SIGMOID, TANH, RECIPROCAL,
  LEAKYRELU, ELU, LOG1P, EXPM1, SIGN, FLOOR, CEIL, ROUND, SOFTPLUS, SIN, COS
};

template <int OP>
inline float un(float v, float alpha) {
  if constexpr (OP == RELU) return v < 0.f ? 0.f : v;
  if constexpr (OP == RELU6) return v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
  if constexpr (OP == STEP) return v != v ? v : (v > 0.f ? 1.f : alpha);
  if constexpr (OP == NEG) return -v;
  if constexpr (OP == EXP) return std::exp(v);
  if constexpr (OP == LOG) return std::log(v);
  if constexpr (OP == SQRT) return std::sqrt(v);
  if constexpr (OP == RSQRT) return 1.f / std::sqrt(v);
  if constexpr (OP == SQUARE) return v * v;
  if constexpr (OP == ABS) return std::fabs(v);
  if constexpr (OP == SIGMOID) return 1.f / (1.f + std::exp(-v));
  if constexpr (OP == TANH) return std::tanh(v);
  if constexpr (OP == RECIPROCAL) return 1.f / v;
  if constexpr (OP == LEAKYRELU) return v < 0.f ? alpha * v : v;
  if constexpr (OP == ELU) return v < 0.f ? std::expm1(v) : v;
  if constexpr (OP == LOG1P) return std::log1p(v);
  if constexpr (OP == EXPM1) return std::expm1(v);
  if constexpr (OP == SIGN) return v > 0.f ? 1.f : (v < 0.f ? -1.f : 0.f);
  if constexpr (OP == FLOOR) return std::floor(v);
  if constexpr (OP == CEIL) return std::ceil(v);
  if constexpr (OP == ROUND) return std::nearbyint(v);
  if constexpr (OP == SOFTPLUS) return v > 15.f ? v : (v < -15.f ? std::exp(v) : std::log1p(std::exp(v)));
  if constexpr (OP == SIN) return std::sin(v);
  if constexpr (OP == COS) return std::cos(v);
  return v;
}

template <int OP>
void runUnary(const float* x, float* o, int64_t n, float alpha) {
#pragma omp parallel for simd schedule(static) if (n > 32768)
  for (int64_t i = 0; i < n; ++i) o[i] = un<OP>(x[i], alpha);
}

// unary(op, x, out, alpha)
void unary(const Napi::CallbackInfo& info) {
  int op = static_cast<int>(num(info, 0, "op"));
  auto xa = f32(info, 1, "x");
  int64_t n = static_cast<int64_t>(xa.ElementLength());
  const float* x = xa.Data();
  float* o = f32p(info, 2, "out", n);
  float alpha = info.Length() > 3 ? static_cast<float>(dbl(info, 3, "alpha")) : 0.f;
  switch (op) {
#define TN_CASE(NAME) \
  case NAME: return runUnary<NAME>(x, o, n, alpha);
    TN_CASE(RELU) TN_CASE(RELU6) TN_CASE(STEP) TN_CASE(NEG) TN_CASE(EXP) TN_CASE(LOG)
    TN_CASE(SQRT) TN_CASE(RSQRT) TN_CASE(SQUARE) TN_CASE(ABS) TN_CASE(SIGMOID) TN_CASE(TANH)
    TN_CASE(RECIPROCAL) TN_CASE(LEAKYRELU) TN_CASE(ELU) TN_CASE(LOG1P) TN_CASE(EXPM1)
    TN_CASE(SIGN) TN_CASE(FLOOR) TN_CASE(CEIL) TN_CASE(ROUND) TN_CASE(SOFTPLUS) TN_CASE(SIN)
    TN_CASE(COS)
#undef TN_CASE
    default: throw Error("unknown unary op " + std::to_string(op));
  }
}

// fill(out, value)
void fill(const Napi::CallbackInfo& info) {
  auto oa = f32(info, 0, "out");
  float v = static_cast<float>(dbl(info, 1, "value"));
  int64_t n = static_cast<int64_t>(oa.ElementLength());
  float* o = oa.Data();
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) o[i] = v;
}

// addN(inputs[], out)
void addN(const Napi::CallbackInfo& info) {
  check(info.Length() > 1 && info[0].IsArray(), "inputs must be an array");
  auto arr = info[0].As<Napi::Array>();
  auto oa = f32(info, 1, "out");
  int64_t n = static_cast<int64_t>(oa.ElementLength());
  float* o = oa.Data();
  std::vector<const float*> ins;
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value v = arr.Get(k);
    check(v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array,
          "inputs must be Float32Arrays");
    auto t = v.As<Napi::Float32Array>();
    check(static_cast<int64_t>(t.ElementLength()) >= n, "input is too short");
    ins.push_back(t.Data());
  }
  check(!ins.empty(), "addN needs at least one input");
#pragma omp parallel for schedule(static) if (n > 32768)
  for (int64_t i = 0; i < n; ++i) {
    float s = ins[0][i];
    for (size_t k = 1; k < ins.size(); ++k) s += ins[k][i];
    o[i] = s;
  }
}

}  // namespace

void registerElementwise(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "binary", binary);
  TN_EXPORT(exports, "unary", unary);
  TN_EXPORT(exports, "fill", fill);
  TN_EXPORT(exports, "addN", addN);
}

}  // namespace tn
