"""Generate large realistic exports for benchmarking, from the shipped sample's own sentences.

Each generated response recombines sentences of real sample answers (so the vocabulary,
lengths, typos and themes stay realistic) with a fresh Citizen Space ID, respondent groups,
Likert answers and consent. Sentences are lightly varied (an opening phrase, a changed number,
a typo) so that, as in a real consultation, almost every answer is unique; about 1% of
respondents send one of a few form letters (campaigns). Seeded, so the same size and seed give
the same file.

    python benchmarks/generate.py 100000 --out /tmp/export_100k.csv --seed 7
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import string
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_responses" / "leicester_send_strategy_2019.csv"
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
NUMBER = re.compile(r"\b\d{1,2}\b")
OPENINGS = [
    "Honestly, ", "As a parent, ", "To be honest ", "I think ", "In my experience ",
    "From what I have seen, ", "Speaking as a carer, ", "Also ", "And ", "Personally, ",
]  # fmt: skip
CLOSINGS = [
    " Thank you.", " Please listen to parents.", " This needs to change.", " We are exhausted.",
    " It has been a long fight.", " Nothing has improved.", " Please do something.",
    " That is all I want to say.", " It should not be this hard.", " Thanks for asking.",
]  # fmt: skip
CAMPAIGN_SHARE = 0.01


def load_sample() -> tuple[list[str], list[list[str]], list[list[str]]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, data = rows[0], rows[1:]
    columns = list(zip(*data, strict=True))
    return header, [list(c) for c in columns], data


def generate(n: int, seed: int, out: Path) -> None:
    rng = random.Random(seed)
    header, columns, _ = load_sample()
    text_cols = [
        i
        for i, h in enumerate(header)
        if h.startswith(("Please tell us", "What one thing", "Do you have any other"))
    ]
    group_col = header.index("In what capacity are you responding? (tick all that apply)")
    likert_cols = [i for i, h in enumerate(header) if h.startswith("To what extent")]
    consent_col = header.index("May we publish your response?")
    sentences = {
        i: [s.strip() for value in columns[i] for s in SENTENCE.split(value) if len(s.strip()) > 2]
        for i in text_cols
    }
    groups = [g for g in columns[group_col] if g]
    # The short questions have few sentences of their own: they also draw on the main one's.
    pools = {i: [i, text_cols[0]] for i in text_cols}
    letters = [" ".join(rng.choice(sentences[text_cols[0]]) for _ in range(4)) for _ in range(3)]
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(header)
        for k in range(n):
            row = [""] * len(header)
            row[0] = _anon_id(rng)
            day = 20 + k % 40
            row[1] = (
                f"2019-{5 + day // 31:02d}-{day % 31 + 1:02d} {rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:00"
            )
            row[2] = row[1]
            row[group_col] = rng.choice(groups)
            for i in likert_cols:
                row[i] = rng.choice(columns[i])
            row[consent_col] = rng.choice(columns[consent_col])
            if rng.random() < CAMPAIGN_SHARE:
                row[text_cols[0]] = rng.choice(letters)
                writer.writerow(row)
                continue
            for i in text_cols:
                if rng.random() < 0.25:
                    continue
                count = max(1, int(rng.expovariate(1 / 3)))
                row[i] = " ".join(
                    _vary(rng, rng.choice(sentences[rng.choice(pools[i])]))
                    for _ in range(min(count, 20))
                )
            writer.writerow(row)


def _vary(rng: random.Random, sentence: str) -> str:
    """A sentence as another respondent might have written it."""
    if rng.random() < 0.5:
        sentence = rng.choice(OPENINGS) + sentence[:1].lower() + sentence[1:]
    if rng.random() < 0.3:
        sentence = NUMBER.sub(lambda m: str(rng.randint(2, 30)), sentence, count=1)
    if rng.random() < 0.3:
        sentence += rng.choice(CLOSINGS)
    if rng.random() < 0.4:
        words = sentence.split(" ")
        k = rng.randrange(len(words))
        word = words[k]
        if len(word) > 3:
            j = rng.randrange(1, len(word) - 2)
            words[k] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        sentence = " ".join(words)
    return sentence


def _anon_id(rng: random.Random) -> str:
    alphabet = string.ascii_uppercase + string.digits
    part = lambda k: "".join(rng.choice(alphabet) for _ in range(k))  # noqa: E731
    return f"ANON-{part(4)}-{part(4)}-{part(1)}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("rows", type=int, help="number of responses (e.g. 1000, 10000, 100000)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.rows, args.seed, args.out)


if __name__ == "__main__":
    main()
