"""What every command does first, in one place: open the project (an export, its config and its
dictionary), code the survey, explain one answer.

The command line calls these and only prints; tests and other interfaces can call them too.
They import the core when called, so a command's --help stays instant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the core (spaCy, pandas) is imported when a function runs
    from spacy.language import Language
    from spacy.tokens import Doc

    from sendconsult.coding import Coding, Match
    from sendconsult.config import ProjectConfig
    from sendconsult.nlp.engine import ThemeClassifier
    from sendconsult.survey import Survey
    from sendconsult.themes.model import ThemeDictionary

# Starts a progress display for `total` answers and yields the function that advances it.
ProgressStart = Callable[[int], AbstractContextManager[Callable[[int], None]]]


@dataclass(frozen=True)
class ColumnChoices:
    """The officer's column choices, the same for every command that reads an export."""

    id_column: str | None = None
    group_column: str | None = None
    text_column: tuple[str, ...] = ()
    personal_column: tuple[str, ...] = ()
    not_personal_column: tuple[str, ...] = ()
    include_other_languages: bool | None = None


def find_project_config(export: Path | None, explicit: Path | None) -> ProjectConfig | None:
    """The project config: the file given, else sendconsult.toml/.yaml beside the export, else
    none."""
    from sendconsult.config import find_config, load_config

    if export is None and explicit is None:
        return None
    found = find_config(export, explicit) if export is not None else explicit
    return load_config(found) if found is not None else None


@dataclass(frozen=True)
class Project:
    """An export with the config that goes with it; reads the survey and the dictionary."""

    export: Path | None
    config: ProjectConfig | None

    def read_survey(
        self,
        *,
        sheet: str | None = None,
        columns: ColumnChoices | None = None,
        cache_dir: Path | None = None,
    ) -> Survey:
        """The export read with the officer's column choices over the config's; what reading
        noticed is in the survey's `warnings`. With `cache_dir`, what reading decided about
        each answer is kept there for the next run."""
        from sendconsult.ingest import IngestOptions, load_survey

        if self.export is None:
            raise ValueError("a project without an export has no survey")
        columns = columns or ColumnChoices()
        options = IngestOptions(
            sheet=sheet,
            id_column=columns.id_column,
            group_column=columns.group_column,
            text_columns=columns.text_column,
            personal_columns=columns.personal_column,
            not_personal_columns=columns.not_personal_column,
            include_other_languages=columns.include_other_languages,
            config=self.config,
            cache_dir=cache_dir,
        )
        return load_survey(self.export, options)

    def dictionary(self, themes: Path | None = None) -> ThemeDictionary:
        """The dictionary given, else the config's `themes`, else the shipped one."""
        return open_dictionary(themes, self.config)


def open_project(export: Path | None, config_file: Path | None = None) -> Project:
    """The project of an export: its config (the file given, else one beside the export)."""
    return Project(export, find_project_config(export, config_file))


def open_dictionary(themes: Path | None, config: ProjectConfig | None = None) -> ThemeDictionary:
    """The dictionary given, else the config's `themes`, else the shipped SEND dictionary."""
    from sendconsult.resources import default_dictionary
    from sendconsult.themes.loader import load_dictionary

    if themes is None and config is not None and getattr(config, "themes", None):
        themes = Path(config.themes)
    return load_dictionary(themes if themes is not None else default_dictionary())


@dataclass(frozen=True)
class CodedSurvey:
    """A survey's codes and the classifier that found them (its pipeline parses more text)."""

    classifier: ThemeClassifier
    coding: Coding


def code_survey(
    survey: Survey,
    dictionary: ThemeDictionary,
    *,
    model: str | None = None,
    nlp: Language | None = None,
    progress: ProgressStart | None = None,
) -> CodedSurvey:
    """Parse every answer and code it to the dictionary's themes, in this process.

    `nlp` is a pipeline already built; otherwise `model` (None: built-in English) is built.
    `progress` is started with the number of answers to parse and advanced as they are.
    """
    from sendconsult.nlp.engine import ThemeClassifier, count_answers
    from sendconsult.nlp.pipeline import build_pipeline

    classifier = ThemeClassifier(dictionary, nlp if nlp is not None else build_pipeline(model))
    total = count_answers(survey, classifier.nlp.max_length)
    with progress(total) if progress is not None else nullcontext(None) as advance:
        coding = classifier.classify(survey, progress=advance)
    return CodedSurvey(classifier, coding)


@dataclass(frozen=True)
class ExplainedAnswer:
    """One answer as parsed, with every dictionary match and whether it counts."""

    question: str
    answer: str
    doc: Doc
    matches: list[Match]


@dataclass(frozen=True)
class Explanation:
    """Why a text or a response gets the themes it gets."""

    answers: list[ExplainedAnswer]
    themes: list[str]  # the theme ids coded, in the dictionary's order
    negated: bool  # whether the negation rule set a match aside

    def __iter__(self) -> Iterator[ExplainedAnswer]:
        return iter(self.answers)


def answers_of(survey: Survey, response_id: str) -> dict[str, str]:
    """A response's non-empty answers by question; an error naming the export if the ID is not
    in it."""
    from sendconsult.errors import ColumnError

    answers = survey.texts(response_id)
    if not answers and response_id not in set(survey.responses["response_id"]):
        raise ColumnError(
            f"Response ID '{response_id}' is not in {survey.source.name}; copy it from the "
            "response_id column of the report's Coding sheet."
        )
    return answers


def explain_answers(
    answers: dict[str, str], dictionary: ThemeDictionary, nlp: Language
) -> Explanation:
    """Parse and match each answer (by question) as analyse does, keeping every match."""
    from sendconsult.nlp.engine import ThemeClassifier

    classifier = ThemeClassifier(dictionary, nlp)
    explained: list[ExplainedAnswer] = []
    coded: set[str] = set()
    negated = False
    for question, answer in answers.items():
        doc = nlp(answer)
        matches = classifier.match_doc(doc, question)
        coded.update(m.theme_id for m in matches if m.counts)
        negated = negated or any((m.vetoed_by or "").startswith("negation") for m in matches)
        explained.append(ExplainedAnswer(question, answer, doc, matches))
    themes = [t for t in dictionary.theme_ids if t in coded]
    return Explanation(explained, themes, negated)
