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

// Copies the box of `x` starting at `xBegin` with extent `box` into `o` at `oBegin`.
// xShape/oShape are the full shapes; the last dimension is copied with memcpy.
void copyBox(const float* x, const Dims& xShape, const Dims& xBegin, float* o, const Dims& oShape,
             const Dims& oBegin, const Dims& box) {
  size_t r = box.size();
  int64_t n = product(box);
  if (n == 0) return;
  if (r == 0) {
    o[0] = x[0];
    return;
  }
  Dims xs(r), os(r);
  int64_t kx = 1, ko = 1;
  for (size_t i = r; i-- > 0;) {
    xs[i] = kx;
    os[i] = ko;
    kx *= xShape[i];
    ko *= oShape[i];
  }
  int64_t inner = box[r - 1], rows = n / inner;
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t row = 0; row < rows; ++row) {
    int64_t rem = row, xo = xBegin[r - 1], oo = oBegin[r - 1];
    for (size_t d = r - 1; d-- > 0;) {
      int64_t idx = rem % box[d];
      rem /= box[d];
      xo += (idx + xBegin[d]) * xs[d];
      oo += (idx + oBegin[d]) * os[d];
    }
    std::memcpy(o + oo, x + xo, sizeof(float) * inner);
  }
}

// slice(x, shape, begin, size, out)
void slice(const Napi::CallbackInfo& info) {
  Dims shape = dims(info, 1, "shape"), begin = dims(info, 2, "begin"), size = dims(info, 3, "size");
  check(begin.size() == shape.size() && size.size() == shape.size(), "begin and size need one entry per dimension");
  for (size_t i = 0; i < shape.size(); ++i) check(begin[i] + size[i] <= shape[i], "slice out of bounds");
  const float* x = f32p(info, 0, "x", product(shape));
  float* o = f32p(info, 4, "out", product(size));
  copyBox(x, shape, begin, o, size, Dims(shape.size(), 0), size);
}

// pad(x, shape, before, outShape, value, out)
void pad(const Napi::CallbackInfo& info) {
  Dims shape = dims(info, 1, "shape"), before = dims(info, 2, "before"), outShape = dims(info, 3, "outShape");
  check(before.size() == shape.size() && outShape.size() == shape.size(), "paddings need one entry per dimension");
  for (size_t i = 0; i < shape.size(); ++i) check(before[i] + shape[i] <= outShape[i], "bad paddings");
  float value = static_cast<float>(dbl(info, 4, "value"));
  const float* x = f32p(info, 0, "x", product(shape));
  int64_t n = product(outShape);
  float* o = f32p(info, 5, "out", n);
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) o[i] = value;
  copyBox(x, shape, Dims(shape.size(), 0), o, outShape, before, shape);
}

// concat(inputs[], innerSizes[], outer, out): out row i = input0 row i ++ input1 row i ++ ...
void concat(const Napi::CallbackInfo& info) {
  check(info.Length() > 3 && info[0].IsArray(), "inputs must be an array");
  auto arr = info[0].As<Napi::Array>();
  Dims inner = dims(info, 1, "innerSizes");
  int64_t outer = num(info, 2, "outer");
  check(inner.size() == arr.Length(), "one inner size per input");
  std::vector<const float*> ins;
  int64_t rowLen = 0;
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value v = arr.Get(k);
    check(v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array, "inputs must be Float32Arrays");
    auto t = v.As<Napi::Float32Array>();
    check(static_cast<int64_t>(t.ElementLength()) >= outer * inner[k], "input is too short");
    ins.push_back(t.Data());
    rowLen += inner[k];
  }
  float* o = f32p(info, 3, "out", outer * rowLen);
#pragma omp parallel for schedule(static) if (outer * rowLen > 65536)
  for (int64_t i = 0; i < outer; ++i) {
    float* dst = o + i * rowLen;
    for (size_t k = 0; k < ins.size(); ++k) {
      std::memcpy(dst, ins[k] + i * inner[k], sizeof(float) * inner[k]);
      dst += inner[k];
    }
  }
}

}  // namespace

void registerLayout(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "transpose", transpose);
  TN_EXPORT(exports, "slice", slice);
  TN_EXPORT(exports, "pad", pad);
  TN_EXPORT(exports, "concat", concat);
}

}  // namespace tn
