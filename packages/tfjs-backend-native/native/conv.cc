#include <algorithm>

#include "activation.h"
#include "common.h"
#include "crop.h"
#include "onednn.h"

namespace tn {
namespace {

using dnnl::algorithm;
using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// [N, H, W, C, OH, OW, OC, KH, KW, sH, sW, dH, dW, pT, pL, pB, pR]
struct ConvParams {
  int64_t N, H, W, C, OH, OW, OC, KH, KW, sH, sW, dH, dW, pT, pL, pB, pR;
  Crop crop;
  static constexpr size_t kCount = 17;
  static ConvParams from(const Napi::CallbackInfo& info, size_t i) {
    Dims d = dims(info, i, "convParams");
    check(d.size() == kCount, "convParams must have 17 entries");
    ConvParams p;
    int64_t* f = &p.N;
    for (size_t k = 0; k < kCount; ++k) f[k] = d[k];
    check(p.sH > 0 && p.sW > 0 && p.dH > 0 && p.dW > 0, "strides and dilations must be positive");
    // Make the right/bottom padding consistent with the requested output size.
    p.pB = (p.OH - 1) * p.sH + (p.KH - 1) * p.dH + 1 - p.H - p.pT;
    p.pR = (p.OW - 1) * p.sW + (p.KW - 1) * p.dW + 1 - p.W - p.pL;
    // Trailing input the windows never reach is cropped rather than described by a negative padding.
    p.crop = {p.N, p.H, p.W, p.C, std::max<int64_t>(0, -p.pB), std::max<int64_t>(0, -p.pR)};
    p.pB = std::max<int64_t>(0, p.pB);
    p.pR = std::max<int64_t>(0, p.pR);
    check(p.crop.Hc() >= 1 && p.crop.Wc() >= 1, "convolution windows cover no input");
    return p;
  }
  memory::desc src() const { return {{N, C, crop.Hc(), crop.Wc()}, dt::f32, tag::nhwc}; }
  memory::desc dst() const { return {{N, OC, OH, OW}, dt::f32, tag::nhwc}; }
  memory::desc userWeights() const { return {{OC, C, KH, KW}, dt::f32, tag::hwio}; }
  memory::desc anyWeights() const { return {{OC, C, KH, KW}, dt::f32, tag::any}; }
  memory::desc bias() const { return {{OC}, dt::f32, tag::a}; }
  memory::dims strides() const { return {sH, sW}; }
  memory::dims dilates() const { return {dH - 1, dW - 1}; }
  memory::dims padL() const { return {pT, pL}; }
  memory::dims padR() const { return {pB, pR}; }
  std::string key(const char* tag, int64_t extra = 0, int64_t extra2 = 0) const {
    int64_t v[kCount + 2];
    const int64_t* f = &N;
    for (size_t k = 0; k < kCount; ++k) v[k] = f[k];
    v[kCount] = extra;
    v[kCount + 1] = extra2;
    return keyOf(v, kCount + 2, tag);
  }
};

dnnl::convolution_forward::primitive_desc forwardPd(const ConvParams& p, bool withBias,
                                                    const dnnl::primitive_attr& attr,
                                                    dnnl::prop_kind kind) {
  auto& d = Dnnl::get();
  dnnl::convolution_forward::desc desc =
      withBias ? dnnl::convolution_forward::desc(kind, algorithm::convolution_direct, p.src(),
                                                 p.anyWeights(), p.bias(), p.dst(), p.strides(),
                                                 p.dilates(), p.padL(), p.padR())
               : dnnl::convolution_forward::desc(kind, algorithm::convolution_direct, p.src(),
                                                 p.anyWeights(), p.dst(), p.strides(),
                                                 p.dilates(), p.padL(), p.padR());
  return {desc, attr, d.eng};
}

struct Fwd {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  bool reorderWeights;
  dnnl::reorder weightsReorder;
  Scratch weights;
};

struct BwdData {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
  bool reorderWeights;
  dnnl::reorder weightsReorder;
  Scratch weights;
};

struct BwdWeights {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
  bool reorderWeights;
  dnnl::reorder weightsReorder;
  Scratch weights;
};

PrimitiveCache<Fwd> fwdCache;
PrimitiveCache<BwdData> bwdDataCache;
PrimitiveCache<BwdWeights> bwdWeightsCache;
thread_local Scratch croppedImage;

// x itself, or its covered part copied into croppedImage.
float* coveredInput(const ConvParams& p, float* x) {
  if (!p.crop.active()) return x;
  float* t = croppedImage.get(sizeof(float) * p.crop.croppedSize());
  p.crop.shrink(x, t);
  return t;
}

dnnl::primitive_attr activationAttr(int act, float alpha) {
  dnnl::primitive_attr attr;
  dnnl::post_ops ops;
  switch (act) {
    case ACT_LINEAR: break;
    case ACT_RELU: ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); break;
    case ACT_LEAKYRELU: ops.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); break;
    case ACT_RELU6: ops.append_eltwise(1.f, algorithm::eltwise_clip_v2, 0.f, 6.f); break;
    case ACT_SIGMOID: ops.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); break;
    case ACT_ELU: ops.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); break;
    default: throw Error("unsupported fused activation");
  }
  attr.set_post_ops(ops);
  return attr;
}

// convForward(x, w, bias, out, params, act, alpha)
void convForward(const Napi::CallbackInfo& info) {
  ConvParams p = ConvParams::from(info, 4);
  int act = info.Length() > 5 ? static_cast<int>(num(info, 5, "activation")) : 0;
  float alpha = info.Length() > 6 ? static_cast<float>(dbl(info, 6, "alpha")) : 0.f;
  float* x = f32p(info, 0, "x", p.N * p.H * p.W * p.C);
  float* w = f32p(info, 1, "filter", p.KH * p.KW * p.C * p.OC);
  float* bias = f32opt(info, 2, "bias", p.OC);
  float* out = f32p(info, 3, "out", p.N * p.OH * p.OW * p.OC);
  auto& d = Dnnl::get();
  Fwd& f = fwdCache.get(p.key("fwd", bias != nullptr, act * 1000003 + static_cast<int64_t>(alpha * 1e6)), [&] {
    auto e = std::make_unique<Fwd>();
    e->pd = forwardPd(p, bias != nullptr, activationAttr(act, alpha), dnnl::prop_kind::forward_training);
    e->prim = dnnl::convolution_forward(e->pd);
    e->reorderWeights = e->pd.weights_desc() != p.userWeights();
    if (e->reorderWeights) e->weightsReorder = dnnl::reorder(dnnl::reorder::primitive_desc(d.eng, p.userWeights(), d.eng, e->pd.weights_desc()));
    return e;
  });
  memory userW(p.userWeights(), d.eng, w);
  memory wMem = userW;
  if (f.reorderWeights) {
    wMem = memory(f.pd.weights_desc(), d.eng, f.weights.get(f.pd.weights_desc().get_size()));
    f.weightsReorder.execute(d.strm, userW, wMem);
  }
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory(p.src(), d.eng, coveredInput(p, x))},
                                       {DNNL_ARG_WEIGHTS, wMem},
                                       {DNNL_ARG_DST, memory(p.dst(), d.eng, out)}};
  if (bias) args.emplace(DNNL_ARG_BIAS, memory(p.bias(), d.eng, bias));
  f.prim.execute(d.strm, args);
  d.strm.wait();
}

// convBackwardData(dy, w, dx, params)
void convBackwardData(const Napi::CallbackInfo& info) {
  ConvParams p = ConvParams::from(info, 3);
  float* dy = f32p(info, 0, "dy", p.N * p.OH * p.OW * p.OC);
  float* w = f32p(info, 1, "filter", p.KH * p.KW * p.C * p.OC);
  float* dx = f32p(info, 2, "dx", p.N * p.H * p.W * p.C);
  auto& d = Dnnl::get();
  BwdData& b = bwdDataCache.get(p.key("bwd_data"), [&] {
    auto e = std::make_unique<BwdData>();
    auto hint = forwardPd(p, false, dnnl::primitive_attr(), dnnl::prop_kind::forward_training);
    dnnl::convolution_backward_data::desc desc(algorithm::convolution_direct, p.src(), p.anyWeights(), p.dst(), p.strides(), p.dilates(), p.padL(), p.padR());
    e->pd = dnnl::convolution_backward_data::primitive_desc(desc, d.eng, hint);
    e->prim = dnnl::convolution_backward_data(e->pd);
    e->reorderWeights = e->pd.weights_desc() != p.userWeights();
    if (e->reorderWeights) e->weightsReorder = dnnl::reorder(dnnl::reorder::primitive_desc(d.eng, p.userWeights(), d.eng, e->pd.weights_desc()));
    return e;
  });
  memory userW(p.userWeights(), d.eng, w);
  memory wMem = userW;
  if (b.reorderWeights) {
    wMem = memory(b.pd.weights_desc(), d.eng, b.weights.get(b.pd.weights_desc().get_size()));
    b.weightsReorder.execute(d.strm, userW, wMem);
  }
  float* dxCovered = p.crop.active() ? croppedImage.get(sizeof(float) * p.crop.croppedSize()) : dx;
  b.prim.execute(d.strm, {{DNNL_ARG_DIFF_DST, memory(p.dst(), d.eng, dy)},
                          {DNNL_ARG_WEIGHTS, wMem},
                          {DNNL_ARG_DIFF_SRC, memory(p.src(), d.eng, dxCovered)}});
  d.strm.wait();
  if (p.crop.active()) p.crop.grow(dxCovered, dx);
}

// convBackwardWeights(x, dy, dw, params, dbias)
void convBackwardWeights(const Napi::CallbackInfo& info) {
  ConvParams p = ConvParams::from(info, 3);
  float* x = f32p(info, 0, "x", p.N * p.H * p.W * p.C);
  float* dy = f32p(info, 1, "dy", p.N * p.OH * p.OW * p.OC);
  float* dw = f32p(info, 2, "dw", p.KH * p.KW * p.C * p.OC);
  float* dbias = f32opt(info, 4, "dbias", p.OC);
  auto& d = Dnnl::get();
  BwdWeights& b = bwdWeightsCache.get(p.key("bwd_weights", dbias != nullptr), [&] {
    auto e = std::make_unique<BwdWeights>();
    auto hint = forwardPd(p, dbias != nullptr, dnnl::primitive_attr(), dnnl::prop_kind::forward_training);
    auto desc = dbias ? dnnl::convolution_backward_weights::desc(algorithm::convolution_direct, p.src(), p.anyWeights(), p.bias(), p.dst(), p.strides(), p.dilates(), p.padL(), p.padR())
                      : dnnl::convolution_backward_weights::desc(algorithm::convolution_direct, p.src(), p.anyWeights(), p.dst(), p.strides(), p.dilates(), p.padL(), p.padR());
    e->pd = dnnl::convolution_backward_weights::primitive_desc(desc, d.eng, hint);
    e->prim = dnnl::convolution_backward_weights(e->pd);
    e->reorderWeights = e->pd.diff_weights_desc() != p.userWeights();
    if (e->reorderWeights) e->weightsReorder = dnnl::reorder(dnnl::reorder::primitive_desc(d.eng, e->pd.diff_weights_desc(), d.eng, p.userWeights()));
    return e;
  });
  memory userW(p.userWeights(), d.eng, dw);
  memory wMem = b.reorderWeights ? memory(b.pd.diff_weights_desc(), d.eng, b.weights.get(b.pd.diff_weights_desc().get_size())) : userW;
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory(p.src(), d.eng, coveredInput(p, x))},
                                       {DNNL_ARG_DIFF_DST, memory(p.dst(), d.eng, dy)},
                                       {DNNL_ARG_DIFF_WEIGHTS, wMem}};
  if (dbias) args.emplace(DNNL_ARG_DIFF_BIAS, memory(p.bias(), d.eng, dbias));
  b.prim.execute(d.strm, args);
  if (b.reorderWeights) b.weightsReorder.execute(d.strm, wMem, userW);
  d.strm.wait();
}

}  // namespace

void registerConv(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "convForward", convForward);
  TN_EXPORT(exports, "convBackwardData", convBackwardData);
  TN_EXPORT(exports, "convBackwardWeights", convBackwardWeights);
}

}  // namespace tn
