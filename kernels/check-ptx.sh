#!/usr/bin/env bash
# Compiles every kernels/*.cu to PTX for sm_80 and sm_90 with clang (no CUDA toolkit needed), as NVRTC would at run time.
# Prints one line per kernel file and architecture; exits non-zero if any compilation fails.
# The sizes NVRTC gets from the model (-DD_HEAD ...) are given sample values here.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
clang="${CLANG:-clang-19}"
if ! command -v "$clang" >/dev/null; then echo "check-ptx: $clang not found (apt-get install clang-19)"; exit 1; fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=0
for src in "$here"/*.cu; do
    name="$(basename "$src" .cu)"
    for arch in sm_80 sm_90; do
        log="$out/$name.$arch.log"
        if "$clang" -x cuda --cuda-device-only --cuda-gpu-arch="$arch" -nocudainc -nocudalib -O3 --cuda-feature=+ptx80 \
            -Werror -DD_HEAD=64 -DHEADS=8 -DKV_HEADS=2 -DATTN_WARPS=4 -DTILE_Q=16 -include "$here/ptx-prelude.h" -S -o "$out/$name.$arch.ptx" "$src" 2>"$log"; then
            kernels="$(grep -c '^.visible .entry' "$out/$name.$arch.ptx")"
            if grep -q '^.extern .func' "$out/$name.$arch.ptx"; then
                # a call left to libdevice (e.g. expf instead of __expf): NVRTC would link it, this check cannot
                echo "FAIL  $name.cu $arch calls external functions:"; grep '^.extern .func' "$out/$name.$arch.ptx" | sed 's/^/      /'; failed=1
            else
                echo "ok    $name.cu $arch ($kernels kernels)"
            fi
        else
            echo "FAIL  $name.cu $arch"; sed 's/^/      /' "$log"; failed=1
        fi
    done
done
exit $failed
