#include "common.h"

namespace tn {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  registerThreads(env, exports);
  registerMatmul(env, exports);
  registerElementwise(env, exports);
  registerReduce(env, exports);
  registerBatchnorm(env, exports);
  registerSoftmax(env, exports);
  registerConv(env, exports);
  registerPool(env, exports);
  registerLayout(env, exports);
  registerFused(env, exports);
  return exports;
}

}  // namespace tn

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return tn::Init(env, exports); }

NODE_API_MODULE(tfjs_native, InitAddon)
