"""Every claim the README makes is checked here (or points to the test that checks it)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from sendconsult import workers
from sendconsult.classify import NEGATION_RULE, ThemeClassifier
from sendconsult.config import load_config
from sendconsult.nlp import build_pipeline
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
    quoted = " ".join(
        line.strip().removeprefix(">").strip()
        for line in README.splitlines()
        if line.strip().startswith("> ")
    )
    assert " ".join(NEGATION_RULE.split()) in quoted


def test_worked_dictionary_example_loads_and_behaves_as_described(tmp_path: Path):
    example = next(block for block in code_blocks("yaml") if "personal_budgets" in block)
    path = tmp_path / "example.yaml"
    path.write_text(textwrap.dedent(example), encoding="utf-8")
    dictionary = load_dictionary(path)
    nlp = build_pipeline()
    classifier = ThemeClassifier(dictionary, nlp)

    def codes(text: str) -> set[str]:
        return {m.theme_id for m in classifier.match_doc(nlp(text), "q") if m.counts}

    assert codes("Personal Budgets are hard to get") == {"personal_budgets"}  # phrase, lemma + case
    assert codes("we were offered direct payments") == {"personal_budgets"}  # wildcard
    assert codes("more choice and more control please") == {"personal_budgets"}  # NEAR/4
    assert codes("we could employ carers of our own") == {"personal_budgets"}  # structured near
    assert codes("the school budget for personal budget holders") == set()  # exclude
    assert dictionary.root_of("direct_payments") == "personal_budgets"  # sub-theme codes parent


def test_config_example_is_valid(tmp_path: Path):
    example = next(block for block in code_blocks("toml") if "consultation_name" in block)
    path = tmp_path / "sendconsult.toml"
    path.write_text(example, encoding="utf-8")
    config = load_config(path)
    assert config.suppression_threshold == 5
    assert config.columns.id == "Response ID"
    assert config.themes == tmp_path / "my_themes.yaml"


@pytest.mark.parametrize(
    "command",
    ["inspect", "analyse", "explain", "evaluate", "themes check", "themes import", "train"],
)
def test_commands_table_lists_real_commands(command: str):
    assert f"`sendconsult {command}" in README


def test_accuracy_table_matches_a_fresh_evaluation():
    from sendconsult.evaluate import evaluate, load_gold
    from sendconsult.ingest import load_survey
    from sendconsult.resources import default_dictionary

    survey = load_survey(ROOT / "sample_responses" / "leicester_send_strategy_2019.csv")
    dictionary = load_dictionary(default_dictionary())
    coding = ThemeClassifier(dictionary, build_pipeline()).classify(survey)
    section = README.split("## Accuracy", 1)[1].split("\n## ", 1)[0]
    rows = {
        cells[0].strip("* "): [c.strip("* ") for c in cells[1:]]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| theme") and "---" not in line
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    for column, gold in ((0, "hand_coded_dev.csv"), (1, "hand_coded_holdout.csv")):
        result = evaluate(coding, load_gold(ROOT / "sample_responses" / gold))
        for theme in result.theme_ids:
            assert rows[dictionary.label(theme)][column] == f"{result.per_theme[theme].f1:.2f}", (
                theme
            )
        assert rows["micro F1"][column] == f"{result.micro.f1:.2f}"
        assert rows["macro F1"][column] == f"{result.macro_f1:.2f}"
        assert rows["Cohen's kappa (pooled)"][column] == f"{result.micro.kappa:.2f}"


def test_classifier_section_matches_the_shipped_classifier():
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
    coding = ThemeClassifier(load_dictionary(default_dictionary()), build_pipeline()).classify(
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
