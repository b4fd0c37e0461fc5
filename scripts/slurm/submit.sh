#!/usr/bin/env bash
# Submits the whole pipeline as four Slurm jobs, each waiting for the one before (afterok):
#   capture (array of CAPTURE_SHARDS tasks) -> merge + rank -> decompose (array of DECOMPOSE_SHARDS tasks) -> merge
# Usage: [HP=...] [MODEL=...] [PROMPTS=...] [OUT=...] [CONCEPT=...] [CAPTURE_SHARDS=8] [DECOMPOSE_SHARDS=0]
#        bash scripts/slurm/submit.sh [sbatch options for every job, e.g. --partition=cpu --cpus-per-task=4]
# DECOMPOSE_SHARDS=0 (the default) leaves the decomposition out. Prints the four job ids.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
capture_shards=${CAPTURE_SHARDS:-8}
decompose_shards=${DECOMPOSE_SHARDS:-0}
capture=$(sbatch --parsable "$@" --array="0-$((capture_shards - 1))" "$here/capture.sbatch")
rank=$(sbatch --parsable "$@" --dependency="afterok:$capture" "$here/merge-rank.sbatch")
echo "capture $capture"
echo "merge-rank $rank"
if [ "$decompose_shards" -gt 0 ]; then
  decompose=$(sbatch --parsable "$@" --dependency="afterok:$rank" --array="0-$((decompose_shards - 1))" "$here/decompose.sbatch")
  join=$(sbatch --parsable "$@" --dependency="afterok:$decompose" "$here/merge-decompose.sbatch")
  echo "decompose $decompose"
  echo "merge-decompose $join"
fi
