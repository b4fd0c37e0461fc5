#!/usr/bin/env python3
"""Mutation campaign: mutated input files of every kind the CLI reads, each run through the built headpursuit.

Usage: python3 bench/fuzz/campaign.py [--runs-per-kind N] [--seed S] [--jobs J] [--out bench/results/fuzz.md]
       [--work DIR] [--cli PATH] [--kinds k1,k2]

Build first (dotnet build HeadPursuit.sln -c Release). The inputs start from the repository's fixtures
(tests/fixtures/tinyworld-gpt2, tests/fixtures/llava-tiny, tests/Runtime.Tests/Imaging/jpeg) and from files made once
with the CLI itself (activations, rankings, decompose.json). Each run gets one mutated file (byte flips, truncation,
JSON type swaps, invalid UTF-8, NaN/Inf, huge or fractional numbers, an over-long line) and is classified:

  ok            exit 0
  clean error   exit 1 or 2, an "error:" line and no stack trace
  accepted bad input  exit 0 after a mutation every reader must refuse (invalid UTF-8; NaN or inf in activations)
  bug (70)      exit 70: headpursuit reported an unexpected exception as its own bug
  unhandled     any other exit code, or a stack trace on standard error (an exception escaped)
  hang          no exit within the time limit

The summary (counts per kind and mutation, the distinct messages of every non-clean run) goes to --out.
"""
import argparse
import collections
import concurrent.futures
import json
import math
import os
import platform
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TINY = os.path.join(REPO, "tests", "fixtures", "tinyworld-gpt2")      # the built-in model: rankings, activations, experiments
STORIES = os.path.join(REPO, "tests", "fixtures", "stories260K")     # a small Llama with a tokenizer: the model folder's files
LLAVA = os.path.join(REPO, "tests", "fixtures", "llava-tiny")        # images, preprocessor_config.json, and a sharded layout
SHARDED = os.path.join(LLAVA, "new-layout")
JPEGS = os.path.join(REPO, "tests", "Runtime.Tests", "Imaging", "jpeg")
TIMEOUT_S = 120
CPU = ["--device", "cpu", "--threads", "1"]   # the options of the commands that compute


# ---------------------------------------------------------------- mutations

INVALID_UTF8 = [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80", b"\xc0\xaf"]


def flip_bytes(data: bytes, rng: random.Random, limit=None) -> bytes:
    b = bytearray(data)
    end = min(len(b), limit) if limit else len(b)
    for _ in range(rng.randint(1, 8)):
        b[rng.randrange(end)] = rng.randrange(256)
    return bytes(b)


def truncate(data: bytes, rng: random.Random, limit=None) -> bytes:
    end = min(len(data), limit) if limit else len(data)
    return data[: rng.randrange(end)]


def insert_invalid_utf8(data: bytes, rng: random.Random, limit=None) -> bytes:
    """Invalid UTF-8 inside a string value (after a quote) when there is one, else anywhere."""
    end = min(len(data), limit) if limit else len(data)
    quotes = [i for i in range(end) if data[i] == 0x22]
    at = rng.choice(quotes) + 1 if quotes else rng.randrange(end + 1)
    return data[:at] + rng.choice(INVALID_UTF8) + data[at:]


def json_paths(value, path=()):
    """Every path to a value in a JSON document (objects and lists included), capped per container."""
    yield path
    if isinstance(value, dict):
        for k in list(value)[:64]:
            yield from json_paths(value[k], path + (k,))
    elif isinstance(value, list):
        for i in range(min(len(value), 16)):
            yield from json_paths(value[i], path + (i,))


def replacement(old, rng: random.Random):
    """A value of another type, or a number that is out of range, fractional or not finite."""
    choices = ["str", "num", "frac", "neg", "huge", "bigint", "null", "bool", "list", "obj", "nan", "inf", "emptystr", "zero"]
    kind = rng.choice(choices)
    return kind, {
        "str": "bogus", "num": 7, "frac": 2.5, "neg": -3, "huge": 1e300, "bigint": 2 ** 70, "null": None, "bool": True,
        "list": [1, "x"], "obj": {"a": 1}, "nan": float("nan"), "inf": float("-inf"), "emptystr": "", "zero": 0,
    }[kind]


def swap_json_type(data: bytes, rng: random.Random, _limit=None):
    doc = json.loads(data.decode("utf-8"))
    paths = [p for p in json_paths(doc) if p]
    if not paths:
        return data, "type-swap"
    path = rng.choice(paths)
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    kind, parent[path[-1]] = replacement(parent[path[-1]], rng)
    # NaN and Infinity are not JSON: Python writes them as bare NaN / -Infinity tokens, 1e999 stands in for inf.
    text = json.dumps(doc, ensure_ascii=False)
    if kind == "inf" and rng.random() < 0.5:
        text = text.replace("-Infinity", "-1e999")
    return text.encode("utf-8"), f"type-swap:{kind}"


def remove_json_field(data: bytes, rng: random.Random, _limit=None):
    doc = json.loads(data.decode("utf-8"))
    paths = [p for p in json_paths(doc) if p and isinstance(p[-1], str)]
    if not paths:
        return data
    path = rng.choice(paths)
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    del parent[path[-1]]
    return json.dumps(doc).encode("utf-8")


def json_mutation(data: bytes, rng: random.Random):
    m = rng.choice(["type-swap", "type-swap", "type-swap", "remove-field", "flip", "truncate", "invalid-utf8"])
    if m == "type-swap":
        return swap_json_type(data, rng)
    if m == "remove-field":
        return remove_json_field(data, rng), m
    return {"flip": flip_bytes, "truncate": truncate, "invalid-utf8": insert_invalid_utf8}[m](data, rng), m


def text_mutation(data: bytes, rng: random.Random):
    m = rng.choice(["invalid-utf8", "invalid-utf8", "flip", "truncate", "long-line", "nul", "empty"])
    if m == "long-line":
        return data + b"The " + b"blue " * (4_000_000 if rng.random() < 0.3 else 400) + b"\n", m
    if m == "nul":
        at = rng.randrange(len(data) + 1)
        return data[:at] + b"\x00" + data[at:], m
    if m == "empty":
        return rng.choice([b"", b"\n\n", b"   \n"]), m
    return {"flip": flip_bytes, "truncate": truncate, "invalid-utf8": insert_invalid_utf8}[m](data, rng), m


def safetensors_parts(data: bytes):
    n = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + n]), data[8 + n:]


def safetensors_bytes(header, body: bytes) -> bytes:
    h = json.dumps(header).encode("utf-8")
    return struct.pack("<Q", len(h)) + h + body


def safetensors_mutation(data: bytes, rng: random.Random, nan_inf=False):
    n = struct.unpack("<Q", data[:8])[0]
    kinds = ["flip-header", "truncate", "header-type-swap", "metadata", "length-prefix", "flip-body"]
    if nan_inf:
        kinds += ["nan-inf", "nan-inf"]
    m = rng.choice(kinds)
    if m == "flip-header":
        return flip_bytes(data, rng, limit=8 + n), m
    if m == "truncate":
        return (data[: rng.randrange(8 + n + 16)] if rng.random() < 0.6 else truncate(data, rng)), m
    if m == "length-prefix":
        return struct.pack("<Q", rng.choice([0, 1, n - 1, n + 1, 2 ** 40, 2 ** 63 + 5])) + data[8:], m
    if m == "flip-body":
        b = bytearray(data)
        for _ in range(16):
            b[rng.randrange(8 + n, len(b))] = rng.randrange(256)
        return bytes(b), m
    header, body = safetensors_parts(data)
    if m == "header-type-swap":
        swapped, how = swap_json_type(json.dumps(header).encode("utf-8"), rng)
        h = swapped
        return struct.pack("<Q", len(h)) + h + body, "header-" + how
    if m == "metadata":
        meta = header.get("__metadata__", {})
        choice = rng.choice(["number-value", "object-value", "invalid-utf8", "not-object", "null-value", "remove-key"])
        if choice == "not-object":
            header["__metadata__"] = rng.choice([[1, 2], "x", 5])
        elif choice == "remove-key" and meta:
            del meta[rng.choice(list(meta))]
        elif choice == "invalid-utf8":
            h = json.dumps(header).encode("utf-8")
            at = h.find(b'"__metadata__"')
            h2 = insert_invalid_utf8(h[at + 15:], rng) if at >= 0 else h
            h = h[: at + 15] + h2 if at >= 0 else insert_invalid_utf8(h, rng)
            return struct.pack("<Q", len(h)) + h + body, "metadata-invalid-utf8"
        elif meta:
            key = rng.choice(list(meta))
            meta[key] = {"number-value": 3.5, "object-value": {"x": 1}, "null-value": None}[choice] if choice != "remove-key" else meta[key]
        header["__metadata__"] = meta if choice != "not-object" else header["__metadata__"]
        return safetensors_bytes(header, body), "metadata-" + choice
    # nan-inf: overwrite float32 elements of the data with NaN or an infinity
    b = bytearray(data)
    value = struct.pack("<f", rng.choice([math.nan, math.inf, -math.inf]))
    f32 = [v for k, v in header.items() if k != "__metadata__" and v.get("dtype") == "F32"]
    for _ in range(rng.choice([1, 1, 5, 200])):
        t = rng.choice(f32)
        start, end = t["data_offsets"]
        if end - start < 4:
            continue
        at = 8 + n + start + 4 * rng.randrange((end - start) // 4)
        b[at:at + 4] = value
    return bytes(b), m


def image_mutation(data: bytes, rng: random.Random):
    m = rng.choice(["flip", "flip-header", "truncate", "truncate", "zero-run", "dims"])
    if m == "flip":
        return flip_bytes(data, rng), m
    if m == "flip-header":
        return flip_bytes(data, rng, limit=64), m
    if m == "truncate":
        return truncate(data, rng), m
    if m == "zero-run":
        at = rng.randrange(len(data))
        return data[:at] + bytes(rng.randrange(1, 64)) + data[at + 64:], m
    # dims: a huge or zero width/height (PNG IHDR at 16; a JPEG SOF's height/width after its marker)
    b = bytearray(data)
    value = struct.pack(">H", rng.choice([0, 1, 65535]))
    if data[:4] == b"\x89PNG":
        b[16:20] = struct.pack(">I", rng.choice([0, 1, 2 ** 31 - 1, 70000]))
    else:
        at = max(data.find(b"\xff\xc0"), data.find(b"\xff\xc2"))
        if at >= 0:
            b[at + 5 + 2 * rng.randrange(2):at + 7 + 2 * rng.randrange(1)] = value
    return bytes(b), m


# ---------------------------------------------------------------- the file kinds

class Kind:
    """One file kind: the base file, how to mutate it, and the command that reads the mutated copy."""

    def __init__(self, name, base, mutate, command, folder=None):
        self.name, self.base, self.mutate, self.command, self.folder = name, base, mutate, command, folder


def model_copy(src, dst, replace):
    """A model folder of links to src's files, with `replace` (a file name) left for the mutated copy."""
    os.makedirs(dst, exist_ok=True)
    for f in os.listdir(src):
        if f != replace and os.path.isfile(os.path.join(src, f)):
            os.symlink(os.path.join(src, f), os.path.join(dst, f))


def prepare(work, cli):
    """Files made once: activations, rankings, decompose parts, an experiment."""
    base = os.path.join(work, "base")
    if os.path.exists(os.path.join(base, "done")):
        return base
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    with open(os.path.join(TINY, "eval", "capture_prompts.txt"), encoding="utf-8") as f:
        prompts = [l for l in f.read().splitlines() if l.strip()][:12]
    with open(os.path.join(base, "prompts.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(prompts) + "\n")
    with open(os.path.join(base, "prompts.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(json.dumps({"prompt": p}) + "\n" for p in prompts)
    with open(os.path.join(base, "concept.txt"), "w", encoding="utf-8") as f:
        f.write("red\nblue\ngreen\nyellow\npurple\n")

    def run(*args):
        r = subprocess.run([cli, *args, "-q", "--device", "cpu"], capture_output=True, text=True, cwd=base)
        if r.returncode != 0:
            sys.exit(f"preparing the campaign: {' '.join(args)} failed: {r.stderr}")

    run("capture", "--prompts", "prompts.txt", "--out", "acts.safetensors")
    run("rank", "--activations", "acts.safetensors", "--concept", "colours", "--out", "rank")
    run("decompose", "--activations", "acts.safetensors", "--out", "dec0", "--shard", "0/2", "--iterations", "4", "--top", "3")
    run("decompose", "--activations", "acts.safetensors", "--out", "dec1", "--shard", "1/2", "--iterations", "4", "--top", "3")
    experiment = {
        "name": "fuzz", "model": TINY,
        "dataset": {"format": "prompts", "path": os.path.join(base, "prompts.txt"), "limit": 2},
        "concept": "lexicon:colours", "concept_tokens": "space",
        "ranking": {"capture_prompts": os.path.join(base, "prompts.txt"), "positions": "all-but-special"},
        "k": [2], "alphas": [-1], "policy": "all", "selections": ["somp", "random"], "random_draws": 1, "seed": 1,
        "decoding": {"max_new_tokens": 2, "temperature": 1, "seed": 7},
        "metrics": ["concept_mass", "perplexity"], "plot_metrics": ["concept_mass_next"], "batch": 2,
        "report": "report",
    }
    with open(os.path.join(base, "experiment.json"), "w") as f:
        json.dump(experiment, f, indent=2)
    open(os.path.join(base, "done"), "w").close()
    return base


def kinds(base):
    png = os.path.join(LLAVA, "images", "img2_32x32_rgb.png")
    image_args = ["--ids", "1,1023,5", "--max-new-tokens", "1"] + CPU
    gen = ["generate", "--prompt", "Once upon a time, Lily saw a", "--max-new-tokens", "2"] + CPU
    nan_safetensors = lambda d, r: safetensors_mutation(d, r, nan_inf=True)
    acts = os.path.join(base, "acts.safetensors")
    ranking = os.path.join(base, "rank", "colours.somp.json")
    return [
        Kind("safetensors (model)", os.path.join(STORIES, "model.safetensors"), safetensors_mutation,
             lambda f, d: gen + ["--model", d], folder=(STORIES, "model.safetensors")),
        Kind("config.json", os.path.join(STORIES, "config.json"), json_mutation,
             lambda f, d: gen + ["--model", d], folder=(STORIES, "config.json")),
        Kind("config.json (GPT-2)", os.path.join(TINY, "config.json"), json_mutation,
             lambda f, d: gen + ["--model", d], folder=(TINY, "config.json")),
        Kind("tokenizer.json", os.path.join(STORIES, "tokenizer.json"), json_mutation,
             lambda f, d: gen + ["--model", d], folder=(STORIES, "tokenizer.json")),
        Kind("tokenizer_config.json", os.path.join(STORIES, "tokenizer_config.json"), json_mutation,
             lambda f, d: gen + ["--model", d], folder=(STORIES, "tokenizer_config.json")),
        Kind("preprocessor_config.json", os.path.join(LLAVA, "preprocessor_config.json"), json_mutation,
             lambda f, d: ["generate", "--model", d, "--image", png] + image_args, folder=(LLAVA, "preprocessor_config.json")),
        Kind("shard index", os.path.join(SHARDED, "model.safetensors.index.json"), json_mutation,
             lambda f, d: ["generate", "--model", d, "--ids", "1,5,7", "--max-new-tokens", "1"] + CPU, folder=(SHARDED, "model.safetensors.index.json")),
        Kind("safetensors (shard)", os.path.join(SHARDED, "model-00001-of-00002.safetensors"), safetensors_mutation,
             lambda f, d: ["generate", "--model", d, "--ids", "1,5,7", "--max-new-tokens", "1"] + CPU, folder=(SHARDED, "model-00001-of-00002.safetensors")),
        Kind("PNG", png, image_mutation, lambda f, d: ["generate", "--model", LLAVA, "--image", f] + image_args),
        Kind("JPEG", os.path.join(JPEGS, "baseline420.jpg"), image_mutation,
             lambda f, d: ["generate", "--model", LLAVA, "--image", f] + image_args),
        Kind("JPEG (progressive)", os.path.join(JPEGS, "large128x96-progressive.jpg"), image_mutation,
             lambda f, d: ["generate", "--model", LLAVA, "--image", f] + image_args),
        Kind("experiment", os.path.join(base, "experiment.json"), json_mutation, lambda f, d: ["eval", f] + CPU),
        Kind("ranking", ranking, json_mutation,
             lambda f, d: ["steer", "--ranking", f, "--top", "2", "--prompt", "Mia saw a", "--max-new-tokens", "2"] + CPU),
        Kind("ranking (overlap)", ranking, json_mutation, lambda f, d: ["overlap", "--k", "2,4", f"base={ranking}", f"mutated={f}"]),
        Kind("activations", acts, nan_safetensors,
             lambda f, d: ["rank", "--activations", f, "--concept", "colours", "--out", os.path.join(d, "out")] + CPU),
        Kind("decompose.json", os.path.join(base, "dec0", "decompose.json"), json_mutation,
             lambda f, d: ["merge", "--out", os.path.join(d, "out"), f, os.path.join(base, "dec1", "decompose.json")]),
        Kind("prompt file (.txt)", os.path.join(base, "prompts.txt"), text_mutation,
             lambda f, d: ["capture", "--prompts", f, "--out", os.path.join(d, "a.safetensors")] + CPU),
        Kind("prompt file (.jsonl)", os.path.join(base, "prompts.jsonl"), text_mutation,
             lambda f, d: ["generate", "--prompt-file", f, "--max-new-tokens", "1"] + CPU),
        Kind("concept file", os.path.join(base, "concept.txt"), text_mutation,
             lambda f, d: ["rank", "--activations", acts, "--concept", f, "--out", os.path.join(d, "out")] + CPU),
    ]


# ---------------------------------------------------------------- running and classifying

# Mutations every reader must refuse: invalid UTF-8 anywhere in a text or JSON file (or a safetensors header), NaN or an
# infinity in activations. Exit 0 after one of them is an input accepted but wrong.
DETECTABLE = {"invalid-utf8", "metadata-invalid-utf8", "nan-inf"}

STACK = re.compile(r"^\s+at .+\(.*\)|Unhandled exception", re.MULTILINE)


def classify(rc, stderr):
    if rc is None:
        return "hang"
    if STACK.search(stderr) or rc not in (0, 1, 2, 70):
        return "unhandled"
    if rc == 70:
        return "bug (70)"
    if rc == 0:
        return "ok"
    return "clean error" if re.search(r"^error:", stderr, re.MULTILINE) else "unhandled"


def one_run(cli, kind, index, seed, work):
    rng = random.Random(f"{seed}/{kind.name}/{index}")
    with open(kind.base, "rb") as f:
        data = f.read()
    mutated, mutation = kind.mutate(data, rng)
    run_dir = tempfile.mkdtemp(prefix="run-", dir=work)
    try:
        name = os.path.basename(kind.base)
        if kind.folder:
            model_copy(kind.folder[0], run_dir, kind.folder[1])
            path = os.path.join(run_dir, kind.folder[1])
        else:
            path = os.path.join(run_dir, name)
        with open(path, "wb") as f:
            f.write(mutated)
        args = [cli, *kind.command(path, run_dir), "-q"]
        start = time.time()
        try:
            r = subprocess.run(args, capture_output=True, timeout=TIMEOUT_S, cwd=run_dir)
            rc, stderr = r.returncode, r.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            rc, stderr = None, ""
        elapsed = time.time() - start
        outcome = classify(rc, stderr)
        if outcome == "ok" and mutation in DETECTABLE:
            outcome = "accepted bad input"
        first = next((l for l in stderr.splitlines() if l.startswith("error:")), stderr.strip().splitlines()[0] if stderr.strip() else "")
        if outcome in ("unhandled", "bug (70)", "hang"):
            keep = os.path.join(work, "failures", f"{kind.name.replace(' ', '_').replace('/', '_')}-{index}-{os.path.basename(path)}")
            os.makedirs(os.path.dirname(keep), exist_ok=True)
            shutil.copy(path, keep)
            with open(keep + ".stderr", "w") as f:
                f.write(" ".join(args) + "\n" + stderr)
        return kind.name, mutation, outcome, rc, first[:300], elapsed
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            fl = next(l for l in f if l.startswith("flags")).split()
        flags = ", ".join(x for x in ["avx2", "fma", "avx512f"] if x in fl)
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} logical cores ({flags}), {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs-per-kind", type=int, default=120)
    ap.add_argument("--seed", default="16")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(REPO, "bench", "results", "fuzz.md"))
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "headpursuit-fuzz"))
    ap.add_argument("--cli", default=os.path.join(REPO, "src", "Cli", "bin", "Release", "net10.0", "headpursuit"))
    ap.add_argument("--kinds", default="", help="comma-separated kind names to run (default: all)")
    ap.add_argument("--summarize", action="store_true",
                    help="only write the summary of the runs recorded in WORK/results.jsonl (e.g. of a campaign that was stopped)")
    a = ap.parse_args()
    log = os.path.join(a.work, "results.jsonl")   # one line per finished run; a stopped campaign resumes from it
    if a.summarize:
        with open(log) as f:
            records = [json.loads(l) for l in f]
        write_summary(a, [tuple(r["result"]) for r in records], sum(r["result"][5] for r in records) / a.jobs)
        return
    if not os.path.exists(a.cli):
        sys.exit(f"{a.cli}: not built (dotnet build HeadPursuit.sln -c Release)")
    os.makedirs(a.work, exist_ok=True)
    base = prepare(a.work, a.cli)
    chosen = [k for k in kinds(base) if not a.kinds or k.name in a.kinds.split(",")]
    done = set()
    if os.path.exists(log):
        with open(log) as f:
            done = {(r["kind"], r["index"], r["seed"]) for r in map(json.loads, f)}
    started = time.time()
    lock = threading.Lock()
    # index-major, so that a campaign stopped early has covered every kind alike
    todo = [(k, i) for i in range(a.runs_per_kind) for k in chosen if (k.name, i, a.seed) not in done]
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool, open(log, "a") as out:
        futures = {pool.submit(one_run, a.cli, k, i, a.seed, a.work): (k, i) for k, i in todo}
        for n, fut in enumerate(concurrent.futures.as_completed(futures), 1):
            k, i = futures[fut]
            with lock:
                out.write(json.dumps({"kind": k.name, "index": i, "seed": a.seed, "result": fut.result()}) + "\n")
                out.flush()
            if n % 50 == 0:
                print(f"{n}/{len(futures)} runs, {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    with open(log) as f:
        records = [json.loads(l) for l in f]
    write_summary(a, [tuple(r["result"]) for r in records], sum(r["result"][5] for r in records) / a.jobs)


def write_summary(a, results, seconds):
    outcomes = ["ok", "clean error", "accepted bad input", "bug (70)", "unhandled", "hang"]
    by_kind = collections.defaultdict(collections.Counter)
    by_mutation = collections.defaultdict(collections.Counter)
    for kind, mutation, outcome, *_ in results:
        by_kind[kind][outcome] += 1
        by_mutation[mutation.split(":")[0]][outcome] += 1
    total = collections.Counter(r[2] for r in results)
    lines = [
        "# Mutation campaign (issue #16)",
        "",
        f"`python3 bench/fuzz/campaign.py --runs-per-kind {a.runs_per_kind} --seed {a.seed} --jobs {a.jobs}`: "
        f"{len(results)} runs of the built CLI (Release), one mutated input file each, about {seconds / 60:.0f} min of wall time "
        f"({a.jobs} at a time).",
        "",
        f"Machine: {machine()}.",
        "",
        "Outcomes: ok (exit 0), clean error (exit 1 or 2 with an `error:` line, no stack trace), accepted bad input "
        "(exit 0 after a mutation every reader must refuse: invalid UTF-8, NaN or an infinity in activations), bug (70) "
        "(an unexpected exception reported as a bug), unhandled (a stack trace or another exit code), hang (no exit in "
        f"{TIMEOUT_S} s).",
        "",
        "| total | " + " | ".join(outcomes) + " |",
        "|---:|" + "---:|" * len(outcomes),
        f"| {len(results)} | " + " | ".join(str(total[o]) for o in outcomes) + " |",
        "",
        "## By file kind",
        "",
        "| kind | runs | " + " | ".join(outcomes) + " |",
        "|---|---:|" + "---:|" * len(outcomes),
    ]
    for kind in sorted(by_kind):
        c = by_kind[kind]
        lines.append(f"| {kind} | {sum(c.values())} | " + " | ".join(str(c[o]) for o in outcomes) + " |")
    lines += ["", "## By mutation", "", "| mutation | runs | " + " | ".join(outcomes) + " |",
              "|---|---:|" + "---:|" * len(outcomes)]
    for m in sorted(by_mutation):
        c = by_mutation[m]
        lines.append(f"| {m} | {sum(c.values())} | " + " | ".join(str(c[o]) for o in outcomes) + " |")
    bad = [r for r in results if r[2] not in ("ok", "clean error")]   # accepted bad input included
    lines += ["", "## Runs that did not end cleanly", ""]
    if not bad:
        lines.append("None.")
    for kind, mutation, outcome, rc, first, _ in sorted(bad):
        lines.append(f"- {kind}, {mutation}: {outcome} (exit {rc}): `{first}`")
    messages = collections.Counter((r[0], re.sub(r"/tmp/\S+", "FILE", r[4])[:160]) for r in results if r[2] == "clean error")
    lines += ["", "## The clean errors' messages (most frequent per kind, paths shortened)", ""]
    for kind in sorted(by_kind):
        top = [(m, n) for (k, m), n in messages.most_common() if k == kind][:4]
        for m, n in top:
            lines.append(f"- {kind} ({n}x): `{m}`")
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {a.out}: " + ", ".join(f"{o} {total[o]}" for o in outcomes), file=sys.stderr)


if __name__ == "__main__":
    main()
