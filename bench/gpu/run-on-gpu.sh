#!/usr/bin/env bash
# Runs on the GPU machine, from the repository root, after bench/gpu/build.sh here and carrying publish/gpu:
#   run(command="bash bench/gpu/run-on-gpu.sh", carry=["publish/gpu"])
# Finds the CUDA 13 libraries of the machine's PyTorch install, then runs gpucheck; the report goes to $OUT.
set -uo pipefail
out="${OUT:-/tmp/headpursuit-gpu}"; mkdir -p "$out"
nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true
dirs="$(find / \( -name 'libnvrtc.so*' -o -name 'libcublas.so*' \) -not -path '/proc/*' 2>/dev/null | xargs -r -n1 dirname | sort -u | paste -sd: -)"
export HEADPURSUIT_CUDA_LIB_DIR="$dirs"
export LD_LIBRARY_PATH="$dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"   # NVRTC finds its builtins library, cuBLAS its cublasLt
export HEADPURSUIT_KERNEL_CACHE="$out/kernel-cache"
echo "HEADPURSUIT_CUDA_LIB_DIR=$dirs" | tee "$out/gpucheck.txt"
publish/gpu/gpucheck publish/gpu/fixtures "$@" 2>&1 | tee -a "$out/gpucheck.txt"
status=${PIPESTATUS[0]}
# The CLI end to end on the GPU: every stories260K case, then capture + rank on it.
{
  publish/gpu/headpursuit verify publish/gpu/fixtures/stories260K --device cuda | tail -1
  printf 'Lily saw a red ball.\nTom had a blue car.\nSue found a green box.\n' > /tmp/p.txt
  publish/gpu/headpursuit rank --model publish/gpu/fixtures/stories260K --prompts /tmp/p.txt --concept colours --top 5 --out /tmp/rank --device cuda
} 2>&1 | tee -a "$out/gpucheck.txt"
exit "$status"
