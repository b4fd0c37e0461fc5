#!/usr/bin/env bash
# Reproduces docs/stories260k/: capture stories260K's heads over 240 colour-rich story prompts, rank them for
# colours and for story characters, and decompose all 40 heads over the full 512-token vocabulary.
# Run from the repository root: bash docs/stories260k/run.sh
set -euo pipefail
M=tests/fixtures/stories260K
out=docs/stories260k
hp() { dotnet run -c Release --project src/Cli -- "$@" --device cpu; }
hp capture --model $M --prompts data/prompts/stories-colours.txt --out $out/acts.safetensors
hp rank --model $M --activations $out/acts.safetensors --concept colours,$out/characters.txt --top 10 --out $out/rank > /dev/null
hp decompose --model $M --activations $out/acts.safetensors --top 10 --out $out/decompose > /dev/null
