"""Every claim the README makes is checked here (or points to the test that checks it)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from sendconsult.config import load_config
from sendconsult.limits import DEFAULT_LIMITS, Limits
from sendconsult.nlp import workers
from sendconsult.nlp.engine import NEGATION_RULE, ThemeClassifier
from sendconsult.themes.loader import load_dictionary

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_quick_start_is_exactly_two_commands():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [block.strip() for block in re.findall(r"```\n(.*?)```", section, flags=re.DOTALL)]
    assert commands == [
        'pip install -e ".[test]" && sendconsult analyse sample_responses/leicester_send_strategy_2019.csv',
        "pytest",
    ]
    assert (ROOT / "sample_responses" / "leicester_send_strategy_2019.csv").is_file()


def test_ci_runs_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet -e ".[test]" && sendconsult analyse' in ci
    assert ci.rstrip().endswith("pytest")


def test_negation_rule_in_readme_is_the_rule_the_code_uses():
    # The quote under "Negation" is NEGATION_RULE, generated from negation.CUES: when the
    # table changes, paste the text this test prints in place of the old quote.
    section = README.split("- **Negation**", 1)[1]
    lines = section.split("\n\n", 2)[1].splitlines()
    quoted = " ".join(line.strip().removeprefix(">").strip() for line in lines)
    expected = textwrap.fill(
        NEGATION_RULE, 95, initial_indent="  > ", subsequent_indent="  > ", break_on_hyphens=False
    )
    assert all(line.startswith("  > ") for line in lines)
    assert quoted == " ".join(NEGATION_RULE.split()), f"README quote should be:\n{expected}"


def test_worked_dictionary_example_loads_and_behaves_as_described(tmp_path: Path, nlp):
    example = next(block for block in code_blocks("yaml") if "personal_budgets" in block)
    path = tmp_path / "example.yaml"
    path.write_text(textwrap.dedent(example), encoding="utf-8")
    dictionary = load_dictionary(path)
    classifier = ThemeClassifier(dictionary, nlp)

    def codes(text: str) -> set[str]:
        return {m.theme_id for m in classifier.match_doc(nlp(text), "q") if m.counts}

    assert codes("Personal Budgets are hard to get") == {"personal_budgets"}  # phrase, lemma + case
    assert codes("we were offered direct payments") == {"personal_budgets"}  # wildcard
    assert codes("more choice and more control please") == {"personal_budgets"}  # NEAR/4
    assert codes("we could employ carers of our own") == {"personal_budgets"}  # structured near
    assert codes("the school budget for personal budget holders") == set()  # exclude
    assert dictionary.root_of("direct_payments") == "personal_budgets"  # sub-theme codes parent
    assert codes("the budget was cut again") == set()  # a weak term alone
    assert codes("a bigger budget and a real choice") == {"personal_budgets"}  # two weak terms


def test_weak_terms_example_behaves_as_described(tmp_path: Path, nlp):
    example = next(block for block in code_blocks("yaml") if "id: transport" in block)
    path = tmp_path / "example.yaml"
    path.write_text("themes:\n" + textwrap.dedent(example), encoding="utf-8")
    classifier = ThemeClassifier(load_dictionary(path), nlp)

    def codes(text: str) -> set[str]:
        return {m.theme_id for m in classifier.match_doc(nlp(text), "q") if m.counts}

    text = "he spends two hours a day in a taxi to a school out of the city"
    assert codes(text) == set()
    assert codes("the taxi comes without an escort") == {"transport"}
    assert codes("a taxi one day and a minibus the next") == {"transport"}
    assert codes("a taxi, and another taxi") == set()


def test_config_example_is_valid(tmp_path: Path):
    example = next(block for block in code_blocks("toml") if "consultation_name" in block)
    path = tmp_path / "sendconsult.toml"
    path.write_text(example, encoding="utf-8")
    config = load_config(path)
    assert config.suppression_threshold == 5
    assert config.columns.id == "Response ID"
    assert config.themes == tmp_path / "my_themes.yaml"
    assert config.limits == DEFAULT_LIMITS  # the example states the defaults


def test_every_limit_is_in_the_config_example():
    example = next(block for block in code_blocks("toml") if "consultation_name" in block)
    assert all(f"{name} = " in example for name in Limits.names())


@pytest.mark.parametrize(
    "command",
    ["inspect", "analyse", "explain", "evaluate", "themes check", "themes import", "train"],
)
def test_commands_table_lists_real_commands(command: str):
    assert f"`sendconsult {command}" in README


# The Accuracy section's sets, in the order of its table's columns: (export, gold file).
ACCURACY_SETS = (
    ("leicester_send_strategy_2019.csv", "hand_coded_dev.csv"),
    ("leicester_send_strategy_2019.csv", "hand_coded_holdout.csv"),
    ("real_quotes_tune.csv", "hand_coded_real_tune.csv"),
    ("real_quotes_heldout.csv", "hand_coded_real_heldout.csv"),
)


def accuracy_section() -> str:
    return README.split("## Accuracy", 1)[1].split("\n## ", 1)[0]


def test_accuracy_table_matches_a_fresh_evaluation(nlp):
    """Every figure of the Accuracy table is what `evaluate` gives on the shipped files."""
    from sendconsult.evaluate import evaluate, load_gold
    from sendconsult.ingest import load_survey
    from sendconsult.resources import default_dictionary

    section = accuracy_section()
    rows = {
        cells[0].strip("* "): [c.strip("* ") for c in cells[1:]]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| theme") and "---" not in line
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    dictionary = load_dictionary(default_dictionary())
    shipped = ThemeClassifier(dictionary, nlp)
    baseline = ThemeClassifier(
        load_dictionary(ROOT / "sample_responses" / "keyword_baseline.yaml"), nlp
    )
    for column, (export, gold_file) in enumerate(ACCURACY_SETS):
        assert f"sendconsult evaluate sample_responses/{export} --gold sample_responses/{gold_file}" in section
        survey = load_survey(ROOT / "sample_responses" / export)
        gold = load_gold(ROOT / "sample_responses" / gold_file)
        result = evaluate(shipped.classify(survey), gold)
        for theme in result.theme_ids:
            counts = result.per_theme[theme]
            assert rows[dictionary.label(theme)][column] == f"{counts.f1:.2f} ({counts.support})", (
                theme, gold_file
            )  # fmt: skip
        assert rows["micro F1"][column] == f"{result.micro.f1:.2f}", gold_file
        assert rows["macro F1"][column] == f"{result.macro_f1:.2f}", gold_file
        assert rows["Cohen's kappa (pooled)"][column] == f"{result.micro.kappa:.2f}", gold_file
        keywords = evaluate(baseline.classify(survey), gold)
        assert rows["keyword baseline, micro F1"][column] == f"{keywords.micro.f1:.2f}", gold_file
        assert rows["keyword baseline, macro F1"][column] == f"{keywords.macro_f1:.2f}", gold_file
        header = next(line for line in section.splitlines() if line.startswith("| theme"))
        n_claimed = re.findall(r"\((\d+) responses\)", header)[column]
        assert int(n_claimed) == result.n_responses, gold_file


def test_real_quote_sets_are_as_the_accuracy_section_describes():
    """The two real sets hold the counts claimed and share no source document."""
    import csv

    flat = " ".join(accuracy_section().split())
    sources = {}
    for part in ("tune", "heldout"):
        path = ROOT / "sample_responses" / f"real_quotes_{part}.csv"
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        sources[part] = {row["Source"] for row in rows}
        label = "tuning" if part == "tune" else "held-out"
        assert re.search(rf"\*\*real, {label}\*\*: {len(rows)} comments", flat), part
    assert sources["tune"] and sources["heldout"]
    assert not sources["tune"] & sources["heldout"]


def test_classifier_section_matches_the_shipped_classifier(nlp):
    """The README's classifier figures are those of a fresh evaluation of the shipped one."""
    import json

    from sendconsult.evaluate import compare_with_classifier, load_gold
    from sendconsult.ingest import load_survey
    from sendconsult.resources import default_dictionary
    from sendconsult.textcat import METADATA_FILE, load_classifier

    section = README.split("## Learning from hand-coding", 1)[1].split("\n## ", 1)[0]
    command = re.search(r"```\n(sendconsult train .*?)\n```", section).group(1)
    folder = ROOT / command.split("--out ")[1].strip()
    info = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    assert f"--export sample_responses/{info['export']}" in command
    assert f"sample_responses/{info['trained_on']}" in command
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    assert size < 5 * 1024 * 1024  # "under 5 MB"
    survey = load_survey(ROOT / "sample_responses" / "leicester_send_strategy_2019.csv")
    coding = ThemeClassifier(load_dictionary(default_dictionary()), nlp).classify(
        survey
    )
    model = load_classifier(folder)
    gold = load_gold(ROOT / "sample_responses" / "hand_coded_holdout.csv")
    comparison = compare_with_classifier(coding, model.score(survey), gold, model)
    rows = {
        cells[0]: cells[1:]
        for line in section.splitlines()
        if line.startswith("| ") and "---" not in line and not line.startswith("| on the")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    for name, run in (
        ("dictionary", comparison.dictionary),
        ("classifier alone", comparison.classifier),
        ("dictionary and suggestions together", comparison.combined),
    ):
        m = run.micro
        assert rows[name] == [
            f"{m.precision:.2f}", f"{m.recall:.2f}", f"{m.f1:.2f}", f"{run.macro_f1:.2f}"
        ], name  # fmt: skip
    found = comparison.combined.micro.tp - comparison.dictionary.micro.tp
    wrong = comparison.combined.micro.fp - comparison.dictionary.micro.fp
    missed = comparison.dictionary.micro.fn
    flat = " ".join(section.split())
    assert f"finds {found} of the {missed} theme mentions the dictionary missed" in flat
    assert f"makes {wrong} wrong suggestion{'' if wrong == 1 else 's'}" in flat
    assert f"trained on {info['n_train']} responses" in flat
    ruled = {t: v for t, v in info["suggest_thresholds"].items() if v is not None}
    assert f"let it suggest only {['no', 'one', 'two', 'three'][len(ruled)]} theme" in flat
    for threshold in ruled.values():
        assert f"from a score of {threshold:.2f}" in flat or f"from {threshold:.2f}" in flat
    for theme in comparison.dictionary.theme_ids:  # "no theme's F1 is lower"
        assert comparison.combined.per_theme[theme].f1 >= comparison.dictionary.per_theme[theme].f1



def test_the_ceiling_on_what_suggestions_can_add_is_the_dictionarys_own_misses(nlp):
    """"finds 203 of the 213 theme mentions and gives 24 wrong codes ... from 0.92 to 0.95":
    the dictionary's counts on the dev file, and its F1 if every miss were found."""
    from sendconsult.evaluate import evaluate, load_gold, pooled
    from sendconsult.ingest import load_survey
    from sendconsult.resources import default_dictionary

    survey = load_survey(ROOT / "sample_responses" / "leicester_send_strategy_2019.csv")
    coding = ThemeClassifier(load_dictionary(default_dictionary()), nlp).classify(survey)
    gold = load_gold(ROOT / "sample_responses" / "hand_coded_dev.csv")
    m = pooled(evaluate(coding, gold).per_theme.values())
    mentions = m.tp + m.fn
    ceiling = 2 * mentions / (2 * mentions + m.fp)
    section = README.split("## Learning from hand-coding", 1)[1].split("\n## ", 1)[0]
    flat = " ".join(section.split())
    assert (
        f"it finds {m.tp} of the {mentions} theme mentions and gives {m.fp} wrong codes: a "
        f"classifier that found all {m.fn} missed mentions without one wrong suggestion would "
        f"lift micro-F1 from {m.f1:.2f} to {ceiling:.2f}, no more."
    ) in flat

def test_names_list_size_is_as_the_readme_says():
    from sendconsult.privacy import name_lists

    names, _ = name_lists()
    claimed = int(re.search(r"list of about ([\d,]+) given names", " ".join(README.split()))
                  .group(1).replace(",", ""))  # fmt: skip
    assert abs(len(names) - claimed) <= 50


def test_performance_section_names_the_batch_size_matching_uses():
    section = " ".join(README.split("## Performance", 1)[1].split("\n## ", 1)[0].split())
    claimed = re.search(r"It works on ([\d,]+) answers at a time", section)
    assert claimed is not None
    assert int(claimed.group(1).replace(",", "")) == workers.BATCH_SIZE


def test_architecture_table_names_real_files():
    section = README.split("### Architecture", 1)[1].split("\n## ", 1)[0]
    named = 0
    for row in re.findall(r"^\| `(sendconsult/[^|]+)\|", section, flags=re.MULTILINE):
        paths = re.findall(r"`([^`]+)`", "`" + row)
        folder = Path(paths[0]).parent
        for path in paths:
            full = ROOT / (path if path.startswith("sendconsult/") else folder / path)
            assert full.exists(), path
            named += 1
    assert named >= 20


def test_second_coder_agreement_is_as_the_accuracy_section_says():
    """Each second coder's agreement claimed in the Accuracy section is what
    `evaluate --second-coder` gives on the shipped files, and the command is given."""
    from sendconsult.evaluate import compare_coders, load_gold

    flat = " ".join(accuracy_section().split())
    samples = ROOT / "sample_responses"
    for part in ("tune", "heldout"):
        second_file = f"hand_coded_real_{part}_second_coder.csv"
        first = load_gold(samples / f"hand_coded_real_{part}.csv")
        second = load_gold(samples / second_file)
        assert set(second.index) <= set(first.index)
        if part == "heldout":  # the whole held-out set was coded again
            assert list(second.index) == list(first.index)
        result = compare_coders(first, second, list(first.columns))
        micro = result.micro
        claim = flat[flat.index(f"`{second_file}`)") :][:400]
        assert f"micro F1 {micro.f1:.2f} (pooled kappa {micro.kappa:.2f};" in claim, part
        low, runner_up = sorted(c.f1 for c in result.per_theme.values())[:2]
        assert f"every theme at {runner_up:.2f} or above except " in claim, part
        assert f", {low:.2f})" in claim, part
        assert (
            f"--gold sample_responses/hand_coded_real_{part}.csv --second-coder "
            f"sample_responses/{second_file}" in flat
        )


def test_blind_parts_score_as_the_accuracy_section_says():
    """The held-out parts' figures quoted in the Accuracy section are what
    benchmarks/real_quote_parts.py gives for the shipped dictionary."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from real_quote_parts import score_parts

    from sendconsult.resources import default_dictionary

    flat = " ".join(accuracy_section().split())
    assert "`python benchmarks/real_quote_parts.py`" in flat
    held_out = {row.file: row for row in score_parts(default_dictionary()) if row.part == "heldout"}
    councils = held_out["real_quotes_unseen_4.yaml"]
    forums = held_out["real_quotes_unseen_5.yaml"]
    assert (
        f"publications score {councils.dictionary.micro.f1:.2f} "
        f"(keywords {councils.keywords.micro.f1:.2f}), forums', charities' and Healthwatch "
        f"reports {forums.dictionary.micro.f1:.2f} (keywords {forums.keywords.micro.f1:.2f})"
    ) in flat
