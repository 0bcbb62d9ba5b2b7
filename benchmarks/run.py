"""Benchmark `sendconsult analyse` at 1k, 10k and 100k responses, and the parser's throughput.

For each size, on a generated export (benchmarks/generate.py, seeded):

- end to end, as an officer runs it (a subprocess: CSV in, xlsx out), the median wall time of
  several runs:
  * cold: no parse cache;
  * first run: the same, building the parse cache;
  * re-run with a revised dictionary: five terms added, one removed, cache from the first run;
- the peak memory of the whole process tree (the main process, its parsing workers and helper
  processes) in one more cold run: the sum of their proportional set sizes (PSS), in which a
  page shared by processes is counted once, shared out among them. Helper processes start as
  copies of the main one and share most of its pages, so the sum of resident sizes (RSS)
  would count those pages once per process. Reading PSS costs the kernel a walk of every
  page table, so it is sampled in a run of its own, which is not timed;
- the cold run's time by stage (read, parse and match, redact, campaigns, aggregate, write;
  campaigns are found in a thread while the main one prepares the redactions, so the two
  overlap);
- in one process, on the export's distinct answers: tokens per second of spaCy's bare tokenizer
  (nlp.make_doc, the ceiling), of the whole pipeline (nlp.pipe: tokens, lemmas, sentences), and
  of parsing, matching the dictionary and deciding the codes (negation, exclusions) as a run
  does it, in batches of docs, with the ratio to the ceiling. The three are timed in turn,
  several rounds, so each ratio compares work done in the same minute; the table gives the
  median time of each and the lowest and highest ratio of a round.

    python benchmarks/run.py                       # 1k, 10k, 100k, median of 3
    python benchmarks/run.py --sizes 1000 --repeat 1

Results are printed as Markdown with a description of the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402

REVISION_ADDED = {  # five terms the shipped dictionary does not have (a test checks)
    "transport": ["taxi booking*", "pick-up time*"],
    "short_breaks": ["saturday club*"],
    "ehcp_process": ["needs assessment panel"],
    "joint_commissioning": ["integrated care board"],
}
REVISION_REMOVED = ("placements", 0)  # the first term of this theme is removed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for analyse (default: CPUs)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep the exports and reports in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sendconsult-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(machine())
    rows = []
    for size in args.sizes:
        export = work / f"export_{size}.csv"
        if not export.exists():
            generate.generate(size, args.seed, export)
        rows.append(bench_size(export, size, args.repeat, args.jobs, work))
        print_tables(rows)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


def bench_size(export: Path, size: int, repeat: int, jobs: int | None, work: Path) -> dict:
    revised = revised_dictionary(work)
    cache = work / f"cache_{size}"
    extra = ["--jobs", str(jobs)] if jobs else []

    def command(*options: str) -> list[str]:
        return [
            sys.executable, "-m", "sendconsult", "analyse", str(export), "--force",
            "--out", str(work / f"report_{size}.xlsx"), *extra, *options,
        ]  # fmt: skip

    def run(*options: str, fresh_cache: bool) -> tuple[float, dict]:
        if fresh_cache:
            shutil.rmtree(cache, ignore_errors=True)
        timings = work / "timings.json"
        seconds = measure(command("--timings", str(timings), *options))
        return seconds, json.loads(timings.read_text())

    cold = [run("--no-cache", fresh_cache=True) for _ in range(repeat)]
    first = [run("--cache-dir", str(cache), fresh_cache=True) for _ in range(repeat)]
    rerun = []
    for _ in range(repeat):
        run("--cache-dir", str(cache), fresh_cache=True)  # the cache an officer's first run made
        rerun.append(run("--cache-dir", str(cache), "--themes", str(revised), fresh_cache=False))
    peak = peak_memory(command("--no-cache"))
    through = throughput(export, repeat)
    median = statistics.median
    stages = {k: median(t[1][k] for t in cold) for k in cold[0][1]}
    return {
        "size": size,
        "cold": median(t[0] for t in cold),
        "first": median(t[0] for t in first),
        "rerun": median(t[0] for t in rerun),
        "peak": peak,
        "stages": stages,
        **through,
    }


def measure(command: list[str]) -> float:
    """Wall seconds of a command, start to exit."""
    started = time.perf_counter()
    completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{completed.stderr.decode(errors='replace')}")
    return seconds


def peak_memory(command: list[str], interval: float = 0.1) -> float:
    """The largest proportional set size (MB) of a command and its descendants together,
    sampled every `interval` seconds while it runs (see the module docstring)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_pss_mb(process.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr.decode(errors='replace')}")
    return peak[0]


def tree_pss_mb(pid: int) -> float:
    """Proportional set size of a process and its descendants, from /proc (Linux 4.14+)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def throughput(export: Path, repeat: int = 3) -> dict:
    """Tokens per second in one process: bare tokenizer, whole pipeline, dictionary matching,
    timed in turn `repeat` times (the machine's speed drifts: a ratio is taken within a round).
    """
    from sendconsult.ingest import load_survey
    from sendconsult.memory import cycle_collection_paused
    from sendconsult.nlp.engine import ThemeClassifier, answer_pieces
    from sendconsult.nlp.pipeline import build_pipeline
    from sendconsult.nlp.workers import find_rows
    from sendconsult.resources import default_dictionary
    from sendconsult.themes.loader import load_dictionary

    survey = load_survey(export)
    texts = list(dict.fromkeys(t for _, _, t, _ in answer_pieces(survey, 10**9)))
    classifier = ThemeClassifier(load_dictionary(default_dictionary()), build_pipeline())
    nlp = classifier.nlp
    for text in texts:  # every word seen once, as after the first thousand answers of a run
        nlp.make_doc(text)

    def timed(work) -> float:  # noqa: ANN001
        with cycle_collection_paused():  # as parsing processes run (see sendconsult/memory.py)
            started = time.perf_counter()
            work()
            return time.perf_counter() - started

    tokens = sum(len(nlp.make_doc(t)) for t in texts)
    bare, lemmas, full = [], [], []
    for _ in range(repeat):
        bare.append(timed(lambda: [nlp.make_doc(t) for t in texts]))
        lemmas.append(timed(lambda: list(nlp.pipe(texts, batch_size=256))))
        full.append(timed(lambda: find_rows(classifier, texts)))  # as a parsing process does
    ratios = [b / f for b, f in zip(bare, full, strict=True)]
    median = statistics.median
    return {
        "answers": len(list(answer_pieces(survey, 10**9))),
        "distinct": len(texts),
        "tokens": tokens,
        "bare_tps": tokens / median(bare),
        "lemma_tps": tokens / median(lemmas),
        "full_tps": tokens / median(full),
        "ratio_low": min(ratios),
        "ratio_high": max(ratios),
    }


def revised_dictionary(work: Path) -> Path:
    """The shipped dictionary with a few terms added and one removed, as an officer revises it."""
    import yaml

    from sendconsult.resources import default_dictionary

    data = yaml.safe_load(default_dictionary().read_text(encoding="utf-8"))
    for theme in data["themes"]:
        theme["terms"] = list(theme["terms"]) + REVISION_ADDED.get(theme["id"], [])
        if theme["id"] == REVISION_REMOVED[0]:
            theme["terms"].pop(REVISION_REMOVED[1])
    path = work / "revised_themes.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    import spacy

    return (
        f"Machine: {cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, spaCy {spacy.__version__}\n"
    )


def print_tables(rows: list[dict]) -> None:
    print("| responses | distinct answers | tokens | cold | first run (builds cache) "
          "| re-run, revised dictionary | re-run speed-up | peak memory (PSS, cold) |")  # fmt: skip
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        peak = r["peak"]
        print(
            f"| {r['size']:,} | {r['distinct']:,} | {r['tokens']:,} | {r['cold']:.1f} s "
            f"| {r['first']:.1f} s | {r['rerun']:.1f} s | {r['cold'] / r['rerun']:.1f}x "
            f"| {peak:,.0f} MB |"
        )
    print()
    stages = list(rows[0]["stages"])
    print("| responses | " + " | ".join(stages) + " |")
    print("| ---: | " + " | ".join("---:" for _ in stages) + " |")
    for r in rows:
        print(f"| {r['size']:,} | " + " | ".join(f"{r['stages'][s]:.1f} s" for s in stages) + " |")
    print()
    print(
        "| responses | bare tokenizer | whole pipeline (nlp.pipe) | matching and codes "
        "| ratio to the ceiling | lowest and highest round |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['size']:,} | {r['bare_tps']:,.0f} tokens/s | {r['lemma_tps']:,.0f} tokens/s "
            f"| {r['full_tps']:,.0f} tokens/s | {r['full_tps'] / r['bare_tps']:.0%} "
            f"| {r['ratio_low']:.0%} to {r['ratio_high']:.0%} |"
        )
    print(flush=True)


if __name__ == "__main__":
    main()
