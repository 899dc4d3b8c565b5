#include <algorithm>

#include "common.h"
#include "crop.h"
#include "onednn.h"

namespace tn {
namespace {

using dnnl::algorithm;
using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// [N, H, W, C, OH, OW, KH, KW, sH, sW, pT, pL, pB, pR]
struct PoolParams {
  int64_t N, H, W, C, OH, OW, KH, KW, sH, sW, pT, pL, pB, pR;
  Crop crop;
  static constexpr size_t kCount = 14;
  static PoolParams from(const Napi::CallbackInfo& info, size_t i) {
    Dims d = dims(info, i, "poolParams");
    check(d.size() == kCount, "poolParams must have 14 entries");
    PoolParams p;
    int64_t* f = &p.N;
    for (size_t k = 0; k < kCount; ++k) f[k] = d[k];
    check(p.sH > 0 && p.sW > 0 && p.KH > 0 && p.KW > 0, "strides and window must be positive");
    p.pB = (p.OH - 1) * p.sH + p.KH - p.H - p.pT;
    p.pR = (p.OW - 1) * p.sW + p.KW - p.W - p.pL;
    // Trailing input no window reaches is cropped rather than described by a negative padding.
    p.crop = {p.N, p.H, p.W, p.C, std::max<int64_t>(0, -p.pB), std::max<int64_t>(0, -p.pR)};
    p.pB = std::max<int64_t>(0, p.pB);
    p.pR = std::max<int64_t>(0, p.pR);
    check(p.crop.Hc() >= 1 && p.crop.Wc() >= 1, "pooling windows cover no input");
    return p;
  }
  memory::desc src() const { return {{N, C, crop.Hc(), crop.Wc()}, dt::f32, tag::nhwc}; }
  memory::desc dst() const { return {{N, C, OH, OW}, dt::f32, tag::nhwc}; }
  std::string key(const char* t, int64_t extra) const {
    int64_t v[kCount + 1];
    const int64_t* f = &N;
    for (size_t k = 0; k < kCount; ++k) v[k] = f[k];
    v[kCount] = extra;
    return keyOf(v, kCount + 1, t);
  }
};

// tfjs averages over the valid (unpadded) cells going forward but its AvgPoolGrad divides by the
// full window size; the backward pass follows tfjs (avg_include_padding) to match every backend.
algorithm alg(bool isMax, bool backward = false) {
  if (isMax) return algorithm::pooling_max;
  return backward ? algorithm::pooling_avg_include_padding : algorithm::pooling_avg_exclude_padding;
}

dnnl::pooling_forward::primitive_desc fwdPd(const PoolParams& p, bool isMax, dnnl::prop_kind kind) {
  dnnl::pooling_forward::desc desc(kind, alg(isMax), p.src(), p.dst(), {p.sH, p.sW}, {p.KH, p.KW},
                                   {p.pT, p.pL}, {p.pB, p.pR});
  return {desc, Dnnl::get().eng};
}

struct Fwd {
  dnnl::pooling_forward::primitive_desc pd;
  dnnl::pooling_forward prim;
  Scratch workspace;
};

struct Bwd {
  dnnl::pooling_backward::primitive_desc pd;
  dnnl::pooling_backward prim;
};

PrimitiveCache<Fwd> fwdCache;
PrimitiveCache<Bwd> bwdCache;
thread_local Scratch croppedInput;
thread_local Scratch croppedGrad;

// x itself, or its covered part copied into `buf`.
float* covered(const PoolParams& p, float* x, Scratch& buf) {
  if (!p.crop.active()) return x;
  float* t = buf.get(sizeof(float) * p.crop.croppedSize());
  p.crop.shrink(x, t);
  return t;
}

Fwd& forward(const PoolParams& p, bool isMax, bool training) {
  return fwdCache.get(p.key(training ? "pool_fwd_train" : "pool_fwd", isMax), [&] {
    auto e = std::make_unique<Fwd>();
    e->pd = fwdPd(p, isMax, training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference);
    e->prim = dnnl::pooling_forward(e->pd);
    return e;
  });
}

// poolForward(x, out, params, isMax)
void poolForward(const Napi::CallbackInfo& info) {
  PoolParams p = PoolParams::from(info, 2);
  bool isMax = info[3].ToBoolean();
  float* x = f32p(info, 0, "x", p.N * p.H * p.W * p.C);
  float* out = f32p(info, 1, "out", p.N * p.OH * p.OW * p.C);
  auto& d = Dnnl::get();
  Fwd& f = forward(p, isMax, false);
  f.prim.execute(d.strm, {{DNNL_ARG_SRC, memory(p.src(), d.eng, covered(p, x, croppedInput))},
                          {DNNL_ARG_DST, memory(p.dst(), d.eng, out)}});
  d.strm.wait();
}

// poolBackward(dy, x, dx, params, isMax): x is needed for max pooling only.
void poolBackward(const Napi::CallbackInfo& info) {
  PoolParams p = PoolParams::from(info, 3);
  bool isMax = info[4].ToBoolean();
  float* dy = f32p(info, 0, "dy", p.N * p.OH * p.OW * p.C);
  float* dx = f32p(info, 2, "dx", p.N * p.H * p.W * p.C);
  auto& d = Dnnl::get();
  Bwd& b = bwdCache.get(p.key("pool_bwd", isMax), [&] {
    auto e = std::make_unique<Bwd>();
    dnnl::pooling_forward::desc hintDesc(dnnl::prop_kind::forward_training, alg(isMax, true), p.src(), p.dst(),
                                         {p.sH, p.sW}, {p.KH, p.KW}, {p.pT, p.pL}, {p.pB, p.pR});
    dnnl::pooling_forward::primitive_desc hint(hintDesc, d.eng);
    dnnl::pooling_backward::desc desc(alg(isMax, true), p.src(), p.dst(), {p.sH, p.sW}, {p.KH, p.KW},
                                      {p.pT, p.pL}, {p.pB, p.pR});
    e->pd = dnnl::pooling_backward::primitive_desc(desc, d.eng, hint);
    e->prim = dnnl::pooling_backward(e->pd);
    return e;
  });
  float* dxCovered = p.crop.active() ? croppedGrad.get(sizeof(float) * p.crop.croppedSize()) : dx;
  std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, memory(p.dst(), d.eng, dy)},
                                       {DNNL_ARG_DIFF_SRC, memory(p.src(), d.eng, dxCovered)}};
  Scratch outTmp;
  if (isMax) {
    float* x = f32p(info, 1, "x", p.N * p.H * p.W * p.C);
    Fwd& f = forward(p, true, true);
    memory ws(f.pd.workspace_desc(), d.eng, f.workspace.get(f.pd.workspace_desc().get_size()));
    memory tmp(p.dst(), d.eng, outTmp.get(p.dst().get_size()));
    f.prim.execute(d.strm, {{DNNL_ARG_SRC, memory(p.src(), d.eng, covered(p, x, croppedInput))}, {DNNL_ARG_DST, tmp}, {DNNL_ARG_WORKSPACE, ws}});
    args.emplace(DNNL_ARG_WORKSPACE, ws);
  }
  b.prim.execute(d.strm, args);
  d.strm.wait();
  if (p.crop.active()) p.crop.grow(dxCovered, dx);
}

}  // namespace

void registerPool(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "poolForward", poolForward);
  TN_EXPORT(exports, "poolBackward", poolBackward);
}

}  // namespace tn
