#!/usr/bin/env bash
# Head-set overlap (the paper's Figure 4) and dictionary sensitivity on the TinyWorld GPT-2, end to end:
#   1. capture every head over four prompt sets of the fixture (colour sentences, country/capital sentences, story
#      openings, the country questions) and over all 300 capture sentences;
#   2. rank colours and countries on each set (only the " word" tokens: docs/tinyworld.md explains why);
#   3. `headpursuit overlap` of the seven rankings at k = 4, 8, 12;
#   4. `headpursuit sensitivity` of colours (numbers as distractors) and countries (capitals as distractors).
# Outputs: docs/tinyworld-overlap.* and docs/tinyworld-sensitivity-{colours,countries}.*, discussed in
# docs/tinyworld-overlap-sensitivity.md. Needs jq (to split the capture sentences by topic).
set -euo pipefail
MODEL=tests/fixtures/tinyworld-gpt2          # the TinyWorld model folder (config, weights, tokenizer, lexicon.json, eval/)
cd "$(dirname "$0")/.."
dotnet build src/Cli -c Release -v q
HP=src/Cli/bin/Release/net10.0/headpursuit
WORK=$(mktemp -d)
trap 'rm -r "$WORK"' EXIT

# prompt sets: JSON lines with a "text" (or "prompt") field, or plain lines
jq -c 'select(.category == "colour")' "$MODEL/eval/capture_prompts.jsonl" > "$WORK/colour-sentences.jsonl"
jq -c 'select(.category == "country" or .category == "capital")' "$MODEL/eval/capture_prompts.jsonl" > "$WORK/place-sentences.jsonl"
jq -c 'select(.category == "country")' "$MODEL/eval/questions.jsonl" > "$WORK/country-questions.jsonl"
cp "$MODEL/eval/story_prompts.txt" "$WORK/stories.txt"
cp "$MODEL/eval/capture_prompts.txt" "$WORK/all-sentences.txt"

for set in colour-sentences place-sentences country-questions stories all-sentences; do
  prompts=$(ls "$WORK/$set".*)
  "$HP" capture --model "$MODEL" --prompts "$prompts" --out "$WORK/$set.safetensors" --batch 32
done
rank() {   # rank CONCEPT SET: writes $WORK/CONCEPT@SET.somp.json
  "$HP" rank --model "$MODEL" --activations "$WORK/$2.safetensors" --concept "lexicon:$1" --concept-tokens space --out "$WORK/$2" > /dev/null
  mv "$WORK/$2/$1.somp.json" "$WORK/$1@$2.somp.json"
}
for set in colour-sentences stories all-sentences; do rank colours "$set"; done
for set in place-sentences country-questions all-sentences; do rank countries "$set"; done
rank numbers all-sentences

REPO=$PWD
(cd "$WORK" && "$REPO/$HP" overlap --k 4,8,12 --out "$REPO/docs/tinyworld-overlap" \
  "colours/colour sentences=colours@colour-sentences.somp.json" \
  "colours/stories=colours@stories.somp.json" \
  "colours/all sentences=colours@all-sentences.somp.json" \
  "countries/place sentences=countries@place-sentences.somp.json" \
  "countries/questions=countries@country-questions.somp.json" \
  "countries/all sentences=countries@all-sentences.somp.json" \
  "numbers/all sentences=numbers@all-sentences.somp.json" > /dev/null)

"$HP" sensitivity --model "$MODEL" --activations "$WORK/all-sentences.safetensors" --concept lexicon:colours --concept-tokens space \
  --distractors lexicon:numbers --fractions 25,50,75 --distractor-fractions 25,50,100 --seeds 10 --k 4,8,12 \
  --out docs/tinyworld-sensitivity-colours > /dev/null
"$HP" sensitivity --model "$MODEL" --activations "$WORK/all-sentences.safetensors" --concept lexicon:countries --concept-tokens space \
  --distractors lexicon:capitals --fractions 25,50,75 --distractor-fractions 25,50,100 --seeds 10 --k 4,8,12 \
  --out docs/tinyworld-sensitivity-countries > /dev/null
