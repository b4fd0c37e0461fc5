#!/usr/bin/env bash
# Reproduces every TinyWorld result in docs/ from the fixture folder (docs/tinyworld.md discusses them):
#   the fixture check, the country-question experiment (Figure 2 in miniature), the colour suppression/enhancement
#   experiment and its alpha sweep, and the per-head token lists (full-vocabulary SOMP beside the logit lens).
# Experiments resume from docs/*.cells.jsonl when interrupted; those files are removed once a run has finished.
set -euo pipefail
cd "$(dirname "$0")/.."
FIXTURE=tests/fixtures/tinyworld-gpt2
dotnet build src/Cli -c Release -v q
HP=src/Cli/bin/Release/net10.0/headpursuit

"$HP" verify "$FIXTURE"
for name in tinyworld-countries-qa tinyworld-colours tinyworld-colours-sweep; do
  "$HP" eval "experiments/$name.json" --examples 4
  rm -f "docs/$name.cells.jsonl"
done

# Every head's tokens, pooled over the fixture's 300 capture sentences (all six topics).
ACTS=$(mktemp -d)
"$HP" capture --model "$FIXTURE" --prompts "$FIXTURE/eval/capture_prompts.txt" --out "$ACTS/capture.safetensors" --batch 32
"$HP" decompose --model "$FIXTURE" --activations "$ACTS/capture.safetensors" --iterations 10 --top 10 --out "$ACTS"
mv "$ACTS/decompose.md" docs/tinyworld-heads.md
mv "$ACTS/decompose.json" docs/tinyworld-heads.json
rm -r "$ACTS"
