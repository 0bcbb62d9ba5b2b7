"""The NHS Friends and Family Test benchmark, end to end through sendconsult's command line.

The data are pxtextmining's "v6" framework comments (NHS England, MIT licence): 44 themes,
5,913 training and 1,479 test comments in the layout this script expects in DATA_DIR:
export_train.csv, codes_train.csv, export_test.csv, codes_test.csv and labels.csv (see that
folder's README). The script:

1. writes a project config that keeps "nothing" and "none" as answers (in this survey they
   answer "what could we do better?" and are coded);
2. runs `sendconsult train` on the training files (everything is chosen by cross-validation
   inside them), timing it (wall clock and CPU of the command);
3. runs `sendconsult evaluate` on the test files with the trained classifier, once, and prints
   its table;
4. prints micro-F1 (pooled over all labels) and macro-F1 (mean over the labels with test
   support, as the data set's README defines it), training time and the model's size.

    python benchmarks/nhs_fft.py DATA_DIR [--out FOLDER] [--seed 0] [--folds 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """consultation_name = "NHS Friends and Family Test (pxtextmining v6)"
non_answers = []

[columns]
id = "response_id"
text = ["answer"]
"""


def sendconsult(*args: str) -> tuple[str, float, float]:
    """Run a sendconsult command; its output, wall seconds and CPU seconds (its process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "sendconsult", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "160"},
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if completed.returncode != 0:
        sys.exit(f"sendconsult {args[0]} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout, wall, cpu


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def scores_on_test(data: Path, model: Path, config: Path) -> tuple[float, float, int]:
    """Micro-F1, macro-F1 over labels with test support, and how many labels have support:
    the saved classifier's own codes on the test export, as `evaluate` computes them."""
    import pandas as pd

    from sendconsult.coding import Coding
    from sendconsult.config import load_config
    from sendconsult.evaluate import evaluate, load_gold, pooled
    from sendconsult.ingest import IngestOptions, load_survey
    from sendconsult.textcat import load_classifier

    classifier = load_classifier(model)
    survey = load_survey(data / "export_test.csv", IngestOptions(config=load_config(config)))
    index = pd.Index(survey.responses["response_id"], name="response_id")
    codes = classifier.codes(classifier.score(survey), index)
    result = evaluate(Coding(list(classifier.info.themes), codes), load_gold(data / "codes_test.csv"))
    supported = [c for c in result.per_theme.values() if c.support]
    macro = sum(c.f1 or 0.0 for c in supported) / len(supported)
    return pooled(result.per_theme.values()).f1 or 0.0, macro, len(supported)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, help="the folder holding the benchmark's files")
    parser.add_argument("--out", type=Path, help="where to keep the classifier (default: temporary)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    data: Path = args.data
    for name in ("export_train.csv", "codes_train.csv", "export_test.csv", "codes_test.csv"):
        if not (data / name).exists():
            sys.exit(f"{data / name} was not found; give the folder holding the benchmark's files.")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        config = work / "sendconsult.toml"
        config.write_text(CONFIG, encoding="utf-8")
        model = args.out or work / "nhs_fft_classifier"
        common = ["--config", str(config)]
        train_output, wall, cpu = sendconsult(
            "train", str(data / "codes_train.csv"), "--export", str(data / "export_train.csv"),
            "--out", str(model), "--force", "--seed", str(args.seed), "--folds", str(args.folds),
            *common,
        )  # fmt: skip
        print(train_output)
        test_output, _, _ = sendconsult(
            "evaluate", str(data / "export_test.csv"), "--gold", str(data / "codes_test.csv"),
            "--classifier", str(model), "--errors", "0", *common,
        )  # fmt: skip
        print(test_output)
        micro, macro, supported = scores_on_test(data, model, config)
        size = folder_size(model)
    cpus = os.cpu_count()
    print(f"machine: {platform.machine()}, {cpus} CPUs, {platform.system()}, Python {platform.python_version()}")
    print(f"test micro-F1 {micro:.3f}, macro-F1 {macro:.3f} (over the {supported} labels with test support)")
    print(f"training: {wall:.0f} s wall clock, {cpu:.0f} s CPU; model {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
