"""Retrain the shipped SEND classifier and print the figures the README gives for it.

Through sendconsult's command line, from the repository's root:

1. `sendconsult train` on the dev file (hand_coded_dev.csv) into
   models/send_strategy_classifier (replacing it), which prints its cross-validated scores;
2. `sendconsult evaluate --cv 5` on the dev file: the dictionary, the classifier and the
   dictionary with suggestions, each response scored by classifiers that did not see it;
3. `sendconsult evaluate --classifier` on the holdout file (hand_coded_holdout.csv), which the
   classifier never saw.

    python benchmarks/send_classifier.py            # retrain, then score
    python benchmarks/send_classifier.py --no-train # score the shipped classifier as it is
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPORT = "sample_responses/leicester_send_strategy_2019.csv"
DEV = "sample_responses/hand_coded_dev.csv"
HOLDOUT = "sample_responses/hand_coded_holdout.csv"
MODEL = "models/send_strategy_classifier"
TRAIN = ["train", DEV, "--export", EXPORT, "--out", MODEL, "--force"]


def sendconsult(*args: str) -> None:
    print(f"$ sendconsult {' '.join(args)}", flush=True)
    completed = subprocess.run(
        [sys.executable, "-m", "sendconsult", *args],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    )
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-train", action="store_true", help="keep the shipped classifier")
    args = parser.parse_args()
    if not args.no_train:
        sendconsult(*TRAIN)
    sendconsult("evaluate", EXPORT, "--gold", DEV, "--cv", "5", "--errors", "0")
    sendconsult("evaluate", EXPORT, "--gold", HOLDOUT, "--classifier", MODEL, "--errors", "0")


if __name__ == "__main__":
    main()
