{
  "targets": [
    {
      "target_name": "tfjs_native",
      "sources": [
        "native/addon.cc",
        "native/threads.cc",
        "native/matmul.cc",
        "native/elementwise.cc",
        "native/reduce.cc",
        "native/batchnorm.cc",
        "native/softmax.cc",
        "native/conv.cc",
        "native/pool.cc",
        "native/layout.cc",
        "native/fused.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "/usr/include/oneapi"
      ],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fopenmp", "-fno-math-errno", "-Wno-unused-parameter"],
      "libraries": ["-ldnnl", "-lopenblas", "-fopenmp"]
    }
  ]
}
