#!/usr/bin/env bash
# Builds libheadpursuit-bf16.so (bf16_gemm.c) into OUT_DIR with clang-19. The Runtime project runs this on every build
# where clang-19 is installed; without it the library is absent and the managed twin of the kernels runs instead.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
mkdir -p "$out"
clang-19 -std=c11 -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror "$here/bf16_gemm.c" -o "$out/libheadpursuit-bf16.so"
