#pragma once
#include <napi.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tn {

using Dims = std::vector<int64_t>;

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void check(bool ok, const std::string& msg) {
  if (!ok) throw Error(msg);
}

inline Napi::Float32Array f32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  check(info.Length() > i && info[i].IsTypedArray(), std::string(name) + " must be a Float32Array");
  auto ta = info[i].As<Napi::TypedArray>();
  check(ta.TypedArrayType() == napi_float32_array, std::string(name) + " must be a Float32Array");
  return info[i].As<Napi::Float32Array>();
}

inline float* f32p(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t need) {
  auto a = f32(info, i, name);
  check(static_cast<int64_t>(a.ElementLength()) >= need,
        std::string(name) + " is too short: " + std::to_string(a.ElementLength()) + " < " +
            std::to_string(need));
  return a.Data();
}

inline float* f32opt(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t need) {
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  return f32p(info, i, name, need);
}

inline int64_t num(const Napi::CallbackInfo& info, size_t i, const char* name) {
  check(info.Length() > i && info[i].IsNumber(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().Int64Value();
}

inline double dbl(const Napi::CallbackInfo& info, size_t i, const char* name) {
  check(info.Length() > i && info[i].IsNumber(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

inline Dims dims(const Napi::CallbackInfo& info, size_t i, const char* name) {
  check(info.Length() > i && info[i].IsArray(), std::string(name) + " must be an array");
  auto arr = info[i].As<Napi::Array>();
  Dims d(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value v = arr.Get(k);
    check(v.IsNumber(), std::string(name) + " must hold numbers");
    d[k] = v.As<Napi::Number>().Int64Value();
    check(d[k] >= 0, std::string(name) + " must hold non-negative numbers");
  }
  return d;
}

inline int64_t product(const Dims& d) {
  int64_t p = 1;
  for (auto v : d) p *= v;
  return p;
}

using Impl = void (*)(const Napi::CallbackInfo&);

template <Impl F>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  try {
    F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("tfjs-backend-native: ") + e.what());
  } catch (...) {
    throw Napi::Error::New(info.Env(), "tfjs-backend-native: unknown native error");
  }
  return info.Env().Undefined();
}

void registerThreads(Napi::Env env, Napi::Object exports);
void registerMatmul(Napi::Env env, Napi::Object exports);
void registerElementwise(Napi::Env env, Napi::Object exports);
void registerReduce(Napi::Env env, Napi::Object exports);
void registerBatchnorm(Napi::Env env, Napi::Object exports);
void registerSoftmax(Napi::Env env, Napi::Object exports);
void registerConv(Napi::Env env, Napi::Object exports);
void registerPool(Napi::Env env, Napi::Object exports);
void registerLayout(Napi::Env env, Napi::Object exports);
void registerFused(Napi::Env env, Napi::Object exports);

#define TN_EXPORT(exports, name, fn) \
  exports.Set(name, Napi::Function::New(env, ::tn::guarded<fn>, name))

}  // namespace tn
