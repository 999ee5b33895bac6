#!/usr/bin/env python3
"""Scale benchmark (issue 17): time and peak RSS of every store step, by corpus size.

    cargo build --release
    nice -n 10 scripts/scale_bench.py --sizes 1000,10000,100000 --corpora synthetic,real

For each corpus and size it writes a JSON Lines corpus, then runs the release
binary step by step on a fresh store: ingest (without resolution), resolve,
info, two queries, export (DOT, JSON, N-Quads) and, when the binary has it,
analyze. Each step is a separate process; its wall time and peak resident
set size (getrusage of that child, via wait4) are printed as a table row as
soon as it ends and appended to --results as one JSON object a line, so a
long run can be read while it goes on and growth across sizes is visible.

Corpora:
  synthetic  scripts/synthetic_news.py (deterministic for --seed): recurring
             people, organisations and places, the case that made export blow up.
  real       news snippets from ../shared/data: RAMS 1.0 dev+test (1,795
             five-sentence news snippets) and the Wikinews articles. Document i
             joins two snippets, (i mod n) and a second one chosen by i, so up to
             n*n documents are distinct texts while every sentence is real news.

Stores are deleted after each size (a 100k-document store takes ~20 GB)
unless --keep is given; a later run whose --steps leave out ingest (and
without --ingested) runs them on the kept store instead of a fresh one.
--exports-to-null writes the exports to /dev/null where disk is short;
--query-timeout SECS overrides the CLI's 30 s query timeout (0: none), which
whole-store queries may need on large stores.
The target is a peak RSS under 2 GB at every step.

To compare two binaries on the same stores without ingesting twice:
--ingested DIR keeps a copy of each freshly ingested store in DIR and, when
DIR already holds one for that corpus and size, copies it instead of running
ingest (the ingest row then says "ingest (copied)"); --steps runs only the
named steps (e.g. --steps ingest,resolve,info).
"""

import argparse
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"

# Step name -> textkg arguments after the binary ({store} is replaced). Queries
# and exports keep the CLI's default limits, as a user would run them.
STEPS = [
    ("ingest", ["ingest", "{corpus}", "--store", "{store}", "--no-resolve"]),
    ("resolve", ["resolve", "--store", "{store}"]),
    ("info", ["info", "--store", "{store}", "--format", "json"]),
    ("query count", ["query", "--store", "{store}", "--format", "csv",
                     "SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?t } GROUP BY ?t"]),
    ("query who-said-what", ["query", "--store", "{store}", "--format", "csv",
                             "-f", str(REPO / "examples/queries/who-said-what.rq")]),
    ("export dot", ["export", "--store", "{store}", "--format", "dot", "-o", "{tmp}/graph.dot"]),
    ("export json", ["export", "--store", "{store}", "--format", "json", "-o", "{tmp}/graph.json"]),
    ("export nquads", ["export", "--store", "{store}", "--format", "nquads", "-o", "{tmp}/dump.nq"]),
]
# Hook for `textkg analyze` (being built on another branch): run when the
# binary knows the subcommand. Adjust the arguments here once it lands.
ANALYZE = ("analyze", ["analyze", "--store", "{store}"])


def synthetic(n, seed, out):
    with open(out, "w") as f:
        subprocess.run([sys.executable, str(REPO / "scripts/synthetic_news.py"), "--documents", str(n),
                        "--seed", str(seed)], stdout=f, check=True)


def real_snippets():
    """Real news texts: RAMS snippets and Wikinews article bodies."""
    texts = []
    for part in ("dev", "test"):
        path = SHARED / "rams_1.0" / f"{part}.jsonlines.gz"
        if not path.exists():
            continue
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                texts.append(" ".join(" ".join(s) for s in doc["sentences"]))
    for path in sorted((SHARED / "wikinews_articles").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        # Title / Source URL / Date / Licence lines, then the body.
        texts.append("\n".join(lines[4:]).strip())
    return [t for t in texts if t]


def real(n, seed, out):
    texts = real_snippets()
    if not texts:
        sys.exit(f"no real news under {SHARED} (RAMS, Wikinews); run with --corpora synthetic")
    k = len(texts)
    rng = random.Random(seed)
    offsets = list(range(1, k))
    rng.shuffle(offsets)
    with open(out, "w") as f:
        for i in range(n):
            first = i % k
            second = (first + offsets[(i // k) % len(offsets)]) % k
            record = {"id": f"real-{i}", "date": f"20{15 + i % 10}-0{1 + i % 9}-1{i % 10}",
                      "text": texts[first] + "\n\n" + texts[second]}
            f.write(json.dumps(record) + "\n")


def run_step(binary, args, log):
    """Runs one step; returns (seconds, peak RSS in MB, exit code)."""
    start = time.monotonic()
    with open(log, "ab") as err:
        proc = subprocess.Popen([binary] + args, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, proc.returncode


def has_subcommand(binary, name):
    return subprocess.run([binary, name, "--help"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def quads(binary, store):
    out = subprocess.run([binary, "info", "--store", store, "--format", "json"], capture_output=True, text=True)
    try:
        return json.loads(out.stdout)["quads"]
    except (ValueError, KeyError):
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    parser.add_argument("--textkg", default=str(target / "release" / "textkg"), help="the (release) binary")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--corpora", default="synthetic,real")
    parser.add_argument("--workdir", default="/tmp/textkg-scale")
    parser.add_argument("--results", default=None, help="JSON Lines results (default WORKDIR/results.jsonl)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the stores")
    parser.add_argument("--steps", default=None, help="comma-separated step names to run (default: all)")
    parser.add_argument("--ingested", default=None,
                        help="directory of ingested stores to reuse (copied) or to fill after ingest")
    parser.add_argument("--query-timeout", type=float, default=None,
                        help="pass --timeout SECS to the query steps (the CLI's default is 30 s; 0: none)")
    parser.add_argument("--exports-to-null", action="store_true",
                        help="write the exports to /dev/null (a 100k N-Quads dump is over 10 GB)")
    opts = parser.parse_args()

    binary = opts.textkg
    if not Path(binary).exists():
        sys.exit(f"no binary at {binary}: cargo build --release (or pass --textkg)")
    work = Path(opts.workdir)
    work.mkdir(parents=True, exist_ok=True)
    results = Path(opts.results or work / "results.jsonl")
    steps = list(STEPS)
    if has_subcommand(binary, "analyze"):
        steps.append(ANALYZE)
    else:
        print("note: this binary has no `analyze` command; that step is skipped", flush=True)
    if opts.steps:
        wanted = opts.steps.split(",")
        unknown = [w for w in wanted if w not in {name for name, _ in steps}]
        if unknown:
            sys.exit(f"unknown steps {unknown}; known: {[name for name, _ in steps]}")
        steps = [(name, t) for name, t in steps if name in wanted]

    print(f"{'corpus':<10} {'docs':>7} {'quads':>11}  {'step':<20} {'seconds':>9} {'peak RSS MB':>12}", flush=True)
    for corpus in opts.corpora.split(","):
        for n in (int(s) for s in opts.sizes.split(",")):
            path = work / f"{corpus}-{n}.jsonl"
            if not path.exists():
                {"synthetic": synthetic, "real": real}[corpus](n, opts.seed, path)
            store = work / f"store-{corpus}-{n}"
            tmp = work / f"out-{corpus}-{n}"
            ingesting = any(name == "ingest" for name, _ in steps)
            if ingesting or opts.ingested:
                shutil.rmtree(store, ignore_errors=True)
            elif store.exists():
                # No ingest step: run the steps on the store a --keep run left (e.g. ingest once, then
                # resolve and the rest on it after a fix; a 100k store has no room for a copy).
                print(f"note: reusing the kept store {store}", flush=True)
            tmp.mkdir(exist_ok=True)
            log = work / f"stderr-{corpus}-{n}.log"
            count = None
            cached = Path(opts.ingested) / store.name if opts.ingested else None
            for name, template in steps:
                args = [a.replace("{corpus}", str(path)).replace("{store}", str(store)).replace("{tmp}", str(tmp))
                        for a in template]
                if opts.query_timeout is not None and name.startswith("query"):
                    args += ["--timeout", f"{opts.query_timeout:g}"]
                if opts.exports_to_null and name.startswith("export"):
                    args = [os.devnull if a.startswith(str(tmp)) else a for a in args]
                if name == "ingest" and cached is not None and cached.exists():
                    name = "ingest (copied)"
                    start = time.monotonic()
                    shutil.copytree(cached, store)
                    seconds, rss, code = time.monotonic() - start, 0.0, 0
                else:
                    seconds, rss, code = run_step(binary, args, log)
                if name == "ingest" and cached is not None and code == 0:
                    shutil.copytree(store, cached)
                if name.startswith("ingest"):
                    count = quads(binary, str(store))
                row = {"corpus": corpus, "documents": n, "quads": count, "step": name,
                       "seconds": round(seconds, 2), "peak_rss_mb": round(rss, 1), "exit": code}
                flag = "" if code == 0 else f"  (exit {code}, see {log})"
                print(f"{corpus:<10} {n:>7} {count or '?':>11}  {name:<20} {seconds:>9.2f} {rss:>12.1f}{flag}",
                      flush=True)
                with open(results, "a") as f:
                    f.write(json.dumps(row) + "\n")
            shutil.rmtree(tmp, ignore_errors=True)
            if not opts.keep:
                shutil.rmtree(store, ignore_errors=True)


if __name__ == "__main__":
    main()
