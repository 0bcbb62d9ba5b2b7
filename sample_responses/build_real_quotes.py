"""Build the real-quote development set from every `source/real_quotes*.yaml`.

The files are read in name order and their quotes numbered on from one file to the next, so
adding a file never renumbers the quotes before it; a source key may appear in one file only.
Writes, for each part (`tune`, `heldout`), an export with one row per quote
(`real_quotes_<part>.csv`: Response ID, respondent group, answer) and its hand-coding
(`hand_coded_real_<part>.csv`: response_id and one 0/1 column per theme id, the layout
`sendconsult evaluate --gold` reads). Parts are split by source document, so no document
has quotes in both. Deterministic: re-running gives identical files. No arguments.
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
THEMES = [
    "placements", "post_16", "personal_budgets", "joint_commissioning", "domiciliary_support",
    "short_breaks", "information_advice", "ehcp_process", "transport", "mainstream_inclusion",
]  # fmt: skip


def source_files(folder: Path = HERE / "source") -> list[Path]:
    """Every real-quote source file, in the order their quotes are numbered."""
    return sorted(folder.glob("real_quotes*.yaml"))


def load_all(files: list[Path]) -> tuple[dict[str, dict], list[dict]]:
    """All sources (keys unique across files) and all quotes, in file order; a quote's source
    must be listed in its own file, so each file stays a self-contained set."""
    sources: dict[str, dict] = {}
    quotes: list[dict] = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        clash = sorted(set(data["sources"]) & set(sources))
        if clash:
            raise SystemExit(f"{path.name}: source key(s) {clash} are already used in another file")
        stray = sorted({q["src"] for q in data["quotes"]} - set(data["sources"]))
        if stray:
            raise SystemExit(f"{path.name}: quotes name source(s) {stray} not listed in its sources")
        sources.update(data["sources"])
        quotes.extend(data["quotes"])
    return sources, quotes


def main(out: Path = HERE) -> None:
    """Write the four files into `out` (the sample_responses folder unless a test asks)."""
    sources, quotes = load_all(source_files())
    rows: dict[str, list[tuple[str, dict]]] = {"tune": [], "heldout": []}
    for number, quote in enumerate(quotes, start=1):
        unknown = set(quote["codes"]) - set(THEMES)
        if unknown:
            raise SystemExit(f"quote {number}: unknown theme(s) {sorted(unknown)}")
        rows[sources[quote["src"]]["part"]].append((f"RQ-{number:03d}", quote))
    for part, items in rows.items():
        with open(out / f"real_quotes_{part}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["Response ID", "Respondent group", "Source", "Answer"])
            for response_id, quote in items:
                writer.writerow([response_id, quote["group"], quote["src"], quote["text"]])
        with open(out / f"hand_coded_real_{part}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["response_id", *THEMES])
            for response_id, quote in items:
                writer.writerow([response_id, *(int(t in quote["codes"]) for t in THEMES)])
        print(f"{part}: {len(items)} quotes from {len({q['src'] for _, q in items})} sources")


if __name__ == "__main__":
    main()
