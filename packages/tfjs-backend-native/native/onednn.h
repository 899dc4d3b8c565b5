#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <memory>
#include <string>
#include <unordered_map>

namespace tn {

struct Dnnl {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  static Dnnl& get() {
    static Dnnl d;
    return d;
  }
};

// A small keyed cache of primitives; cleared wholesale when it grows past its capacity.
template <typename T>
class PrimitiveCache {
 public:
  template <typename Make>
  T& get(const std::string& key, Make make) {
    auto it = map_.find(key);
    if (it != map_.end()) return *it->second;
    if (map_.size() >= 512) map_.clear();
    auto v = make();
    T& ref = *v;
    map_.emplace(key, std::move(v));
    return ref;
  }

 private:
  std::unordered_map<std::string, std::unique_ptr<T>> map_;
};

// A reusable buffer that grows to the largest size requested.
struct Scratch {
  std::unique_ptr<float[]> data;
  size_t size = 0;
  float* get(size_t bytes) {
    size_t n = (bytes + sizeof(float) - 1) / sizeof(float);
    if (n > size) {
      data.reset(new float[n]);
      size = n;
    }
    return data.get();
  }
};

inline std::string keyOf(const int64_t* v, size_t n, const char* tag) {
  std::string k(tag);
  for (size_t i = 0; i < n; ++i) {
    k += ',';
    k += std::to_string(v[i]);
  }
  return k;
}

}  // namespace tn
