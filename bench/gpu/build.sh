#!/usr/bin/env bash
# Builds what a GPU machine (no .NET there) needs into publish/gpu (git-ignored), to carry with the `run` tool:
#   publish/gpu/gpucheck      self-contained single-file: op parity, fixture verification and SOMP timing on CUDA
#   publish/gpu/headpursuit   the CLI, self-contained single-file (run it with --device cuda)
#   publish/gpu/fixtures/     the model and SOMP fixtures the checks read (tinyworld-gpt2 left out: too large to carry)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/publish/gpu"
rm -rf "$out"; mkdir -p "$out/fixtures"
flags=(-c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -p:PublishTrimmed=true -p:DebugType=none)
dotnet publish "$root/bench/gpu/GpuCheck/GpuCheck.csproj" "${flags[@]}" -o "$out/gpucheck.d"
mv "$out/gpucheck.d/gpucheck" "$out/gpucheck"; rm -rf "$out/gpucheck.d"
# The CLI writes JSON of anonymous types by reflection: trim only the framework (TrimMode=partial keeps our assemblies
# whole) and keep System.Text.Json's reflection path, so nothing it serialises is trimmed away.
dotnet publish "$root/src/Cli/HeadPursuit.Cli.csproj" "${flags[@]}" -p:TrimMode=partial -p:JsonSerializerIsReflectionEnabledByDefault=true \
  -p:SuppressTrimAnalysisWarnings=true -p:EnableTrimAnalyzer=false -o "$out/cli.d"
mv "$out/cli.d/headpursuit" "$out/headpursuit"; rm -rf "$out/cli.d"
fixtures="${HEADPURSUIT_FIXTURES:-$root/tests/fixtures}"
for f in gpt2-tiny llama-tiny qwen2-tiny stories260K llava-tiny somp; do cp -r "$fixtures/$f" "$out/fixtures/"; done
du -sh "$out"
