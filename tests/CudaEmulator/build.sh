#!/usr/bin/env bash
# Builds the CUDA emulator into OUT_DIR: libcuda.so.1, libnvrtc.so.12 and libcublas.so.12 (the names
# src/Kernels/Native/NativeLibraryResolver.cs tries), plus the two headers the emulated NVRTC compiles kernels with.
# Point HEADPURSUIT_CUDA_LIB_DIR at OUT_DIR and the CUDA backend runs on the CPU (see README.md here).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
cc="${HEADPURSUIT_EMULATOR_CC:-clang-19}"
if ! command -v "$cc" >/dev/null || [ ! -e /usr/include/dlfcn.h ]; then
  echo "tests/CudaEmulator/build.sh: needs $cc and the C library headers: sudo apt-get install -y clang-19 libc6-dev" >&2
  exit 1
fi
mkdir -p "$out"
flags=(-std=c11 -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror)
"$cc" "${flags[@]}" "$here/driver.c" -o "$out/libcuda.so.1" -ldl
"$cc" "${flags[@]}" "$here/nvrtc.c" -o "$out/libnvrtc.so.12" -ldl
"$cc" "${flags[@]}" "$here/cublas.c" -o "$out/libcublas.so.12"
cp "$here/emulator.h" "$here/kernel-prelude.h" "$out/"
