#include <cblas.h>
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

#include "common.h"

namespace tn {
namespace {

void setThreads(const Napi::CallbackInfo& info) {
  int n = static_cast<int>(num(info, 0, "threads"));
  check(n >= 1 && n <= 1024, "threads must be between 1 and 1024");
  omp_set_num_threads(n);
  openblas_set_num_threads(1);
}

Napi::Value getThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

Napi::Value versions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto v = dnnl::version();
  auto o = Napi::Object::New(env);
  o.Set("onednn", std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                      std::to_string(v->patch));
  o.Set("openblas", std::string(openblas_get_config()));
  return o;
}

}  // namespace

void registerThreads(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "setThreads", setThreads);
  exports.Set("getThreads", Napi::Function::New(env, getThreads, "getThreads"));
  exports.Set("versions", Napi::Function::New(env, versions, "versions"));
}

}  // namespace tn
