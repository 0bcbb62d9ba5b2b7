"""How a run's later stages fit together: the redactions of the answers the theme and Uncoded
sheets list are found before the report is written (while campaigns are found beside them),
and a failure in either stops the run with its own message and no report."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from sendconsult.analysis import AnalysisSettings, run_analysis
from sendconsult.campaigns import detect_campaigns
from sendconsult.errors import ExportError
from sendconsult.ingest import load_survey
from sendconsult.privacy import Redaction, Redactor
from sendconsult.report import theme_sheets, uncoded
from sendconsult.resources import default_dictionary
from sendconsult.survey import CONSENT, RESPONSE_ID, Consent
from sendconsult.themes.loader import load_dictionary

SAMPLE = Path(__file__).parent.parent / "sample_responses" / "leicester_send_strategy_2019.csv"
ROWS_PER_THEME = 12  # small, so that most themes' sheets are capped


class Recording(Redactor):
    """A redactor that records the texts it is prepared with and those it searches later."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.prepared: list[str] = []
        self.searched_later: list[str] = []
        self._preparing = False

    def prepare(self, texts) -> None:  # noqa: ANN001
        texts = list(texts)
        self.prepared.extend(texts)
        self._preparing = True
        super().prepare(texts)
        self._preparing = False

    def _find(self, text: str) -> list[Redaction]:
        if not self._preparing:
            self.searched_later.append(text)
        return super()._find(text)


@pytest.fixture(scope="module")
def survey():
    return load_survey(SAMPLE)


def analyse(survey, nlp, folder: Path):  # noqa: ANN001, ANN201
    settings = AnalysisSettings(max_rows_per_theme=ROWS_PER_THEME)
    dictionary = load_dictionary(default_dictionary())
    return run_analysis(survey, dictionary, nlp, settings, folder / "report.xlsx")


def test_the_sheets_list_only_answers_whose_redactions_were_found_beforehand(
    survey, nlp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Recording] = []

    def recording(*args: object) -> Recording:
        made.append(Recording(*args))
        return made[-1]

    shown: list[str] = []  # every answer the theme and Uncoded sheets list, as they are written
    highlighted, answers = theme_sheets.highlighted, uncoded._answers

    def spy_highlighted(text: str, *args: object):  # noqa: ANN202
        shown.append(text)
        return highlighted(text, *args)

    def spy_answers(content, rid: str, *args: object) -> str:  # noqa: ANN001
        shown.extend(content.survey.texts(rid).values())
        return answers(content, rid, *args)

    monkeypatch.setattr("sendconsult.analysis.Redactor", recording)
    monkeypatch.setattr(theme_sheets, "highlighted", spy_highlighted)
    monkeypatch.setattr(uncoded, "_answers", spy_answers)
    analyse(survey, nlp, tmp_path)

    (redactor,) = made
    assert set(redactor.prepared) == set(shown)  # no more, no fewer
    assert len(redactor.prepared) == len(set(redactor.prepared))  # each text once
    assert not set(redactor.searched_later) & set(shown)
    withheld = set(survey.responses.loc[survey.responses[CONSENT] == Consent.WITHHOLD, RESPONSE_ID])
    withheld_texts = {t for rid in withheld for t in survey.texts(rid).values()}
    assert withheld_texts and not withheld_texts & set(redactor.prepared)


def test_sheets_list_the_first_answers_up_to_the_limit_and_count_them_all(survey, nlp) -> None:
    from sendconsult.nlp.engine import ThemeClassifier

    coding = ThemeClassifier(load_dictionary(default_dictionary()), nlp).classify(survey)
    consent = dict(zip(survey.responses[RESPONSE_ID], survey.responses[CONSENT], strict=True))
    capped = 0
    for theme_id in coding.theme_ids:
        everything = theme_sheets.shown_answers(survey, coding, consent, theme_id, 10**6)
        first = theme_sheets.shown_answers(survey, coding, consent, theme_id, ROWS_PER_THEME)
        total = theme_sheets.answer_count(survey, coding, consent, theme_id)
        assert total == len(everything)
        assert first == everything[:ROWS_PER_THEME]
        capped += total > ROWS_PER_THEME
        assert all(consent[rid] is not Consent.WITHHOLD for rid, *_ in everything)
    assert capped >= 3


def test_campaigns_found_beside_redaction_are_those_found_alone(survey, nlp, tmp_path) -> None:
    result = analyse(survey, nlp, tmp_path)
    assert result.campaigns == detect_campaigns(survey)
    assert result.campaigns.campaigns  # the sample has form letters
    assert {"campaigns", "redact"} <= set(result.timings)


def test_campaigns_are_looked_for_apart_once_parsing_has_ended(
    survey, nlp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing may run beside while parsing forks its worker processes (see analysis.py)."""
    from sendconsult import analysis
    from sendconsult.nlp import engine as classify

    events: list[object] = []
    find_rows, find = classify.find_rows, analysis.find_campaigns

    def parsing(*args: object, **kwargs: object):  # noqa: ANN202
        events.append("parsing")
        rows = find_rows(*args, **kwargs)
        events.append("parsed")
        return rows

    def campaigns(*args: object, **kwargs: object):  # noqa: ANN202
        events.append(("campaigns", kwargs["apart"]))
        return find(*args, **kwargs)

    monkeypatch.setattr(classify, "find_rows", parsing)
    monkeypatch.setattr(analysis, "find_campaigns", campaigns)
    settings = AnalysisSettings(max_rows_per_theme=ROWS_PER_THEME, jobs=2)
    run_analysis(survey, load_dictionary(default_dictionary()), nlp, settings, tmp_path / "r.xlsx")
    assert events == ["parsing", "parsed", ("campaigns", True)]


@pytest.mark.parametrize("forking", [True, False])
def test_a_large_export_s_campaigns_are_found_by_a_helper_the_same(
    survey, monkeypatch: pytest.MonkeyPatch, forking: bool
) -> None:
    """A helper process where processes fork, else a thread; the campaigns are the same."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from sendconsult import campaigns

    alone = detect_campaigns(survey)
    monkeypatch.setattr(campaigns, "MIN_ANSWERS_APART", 10)
    monkeypatch.setattr(campaigns, "forks", lambda: forking)
    with campaigns.find_campaigns(survey, apart=True) as search:
        helper = search.helper
        assert search.result() == alone
    assert isinstance(helper, ProcessPoolExecutor if forking else ThreadPoolExecutor)
    assert search.seconds > 0


def test_campaigns_found_inline_report_how_long_they_took(survey, monkeypatch) -> None:
    """A small export's campaigns are found in the caller's thread; --timings still shows it."""
    from sendconsult import campaigns

    real = campaigns._detect

    def slow(*args: object):  # noqa: ANN202
        threading.Event().wait(0.2)
        return real(*args)

    monkeypatch.setattr(campaigns, "_detect", slow)
    with campaigns.find_campaigns(survey, apart=True) as search:
        assert search.helper is None
        assert search.seconds >= 0.2


def _stop_abruptly(*args: object) -> None:
    """Stands in for detection in the helper process: it ends as if killed."""
    os._exit(1)


def test_a_helper_process_that_stops_is_reported_as_such(
    survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendconsult import campaigns
    from sendconsult.processes import ParallelError, forks

    if not forks():
        pytest.skip("helper processes are only used where processes fork")
    monkeypatch.setattr(campaigns, "MIN_ANSWERS_APART", 10)
    monkeypatch.setattr(campaigns, "_detect", _stop_abruptly)
    with (
        pytest.raises(ParallelError, match="stopped unexpectedly"),
        campaigns.find_campaigns(survey, apart=True) as search,
    ):
        search.result()


def test_an_error_finding_campaigns_stops_the_run_with_its_message_and_no_report(
    survey, nlp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: object, **kwargs: object) -> None:
        raise ExportError("The export changed while it was read; run again.")

    monkeypatch.setattr("sendconsult.analysis.find_campaigns", failing)
    with pytest.raises(ExportError, match="changed while it was read"):
        analyse(survey, nlp, tmp_path)
    assert not list(tmp_path.iterdir())


def test_timings_name_each_stage_in_the_order_a_run_does_them(tmp_path: Path) -> None:
    """What the benchmark's stage table reads (a hidden option of analyse)."""
    import json

    from typer.testing import CliRunner

    from sendconsult.cli import app

    timings = tmp_path / "timings.json"
    result = CliRunner().invoke(
        app,
        ["analyse", str(SAMPLE), "--out", str(tmp_path / "r.xlsx"), "--no-cache",
         "--timings", str(timings)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    stages = json.loads(timings.read_text())
    assert list(stages) == ["read", "parse and match", "redact", "campaigns", "aggregate", "write"]
    assert all(seconds > 0 for seconds in stages.values())
