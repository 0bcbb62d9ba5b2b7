"""Assembling the `Survey` from tidy rows and decided roles: IDs, groups, consent, answers."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from sendconsult.caches import text_digest
from sendconsult.caches.set_aside import KEPT, SetAsideCache
from sendconsult.config import ProjectConfig
from sendconsult.ingest.assign import RoleChoice
from sendconsult.ingest.attachments import (
    DEFAULT_ATTACHMENT_ANSWERS,
    answer_set,
    set_aside_kind,
)
from sendconsult.ingest.cleaning import DEFAULT_NON_ANSWERS, is_non_answer, non_answer_set
from sendconsult.ingest.consent import consent_of
from sendconsult.ingest.languages import (
    NEEDS_MODEL,
    language_without_model,
    load_model_in_background,
    model_language,
)
from sendconsult.ingest.layouts import LayoutResult, is_other_label
from sendconsult.ingest.multiselect import learn_options, split_selection
from sendconsult.ingest.personal import mask_own_details
from sendconsult.ingest.roles import ColumnStats
from sendconsult.ingest.rows import Rows, row_list
from sendconsult.processes import forks, run_apart
from sendconsult.survey import (
    CONSENT,
    FIXED_COLUMNS,
    GROUPS,
    GROUPS_RAW,
    RESPONSE_ID,
    SOURCE_ROW,
    ColumnInfo,
    Consent,
    Role,
    Survey,
)


def build_survey(
    path: Path,
    layout: LayoutResult,
    rows: Rows,
    roles: dict[str, RoleChoice],
    stats: dict[str, ColumnStats],
    config: ProjectConfig | None,
    cache_dir: Path | None = None,
) -> Survey:
    """The Survey: one row per response, questions keyed by header, every decision recorded."""
    headers = layout.headers
    columns = {h: rows.column(i) for i, h in enumerate(headers)}
    by_role = {role: [h for h in headers if roles[h][0] is role] for role in Role}
    id_col = next(iter(by_role[Role.ID]), None)
    group_col = next(iter(by_role[Role.GROUP]), None)
    consent_col = next(iter(by_role[Role.CONSENT]), None)
    warnings = list(rows.warnings)
    ids = response_ids(columns[id_col] if id_col else None, rows.numbers, warnings)
    groups = respondent_groups(layout, group_col, columns, ids, config)
    consent = None
    if consent_col:
        decided = {v: consent_of(v) for v in set(columns[consent_col])}  # a handful of answers
        consent = [decided[v] for v in columns[consent_col]]
    masked = mask_own_details(columns, by_role[Role.TEXT], by_role[Role.PERSONAL])
    if masked:
        warnings.append(
            f"{_count(masked, 'answer mentions', 'answers mention')} the respondent's own name, "
            "organisation or contact details from a personal column; those words were replaced "
            "by [NAME], [ORGANISATION] or [PERSONAL] before anything else."
        )
    frame = _frame(ids, rows.numbers, groups, consent, columns, by_role, config)
    _warn_empty(frame, ids, rows.numbers, by_role, warnings)
    language = config.language if config is not None else "en"
    return Survey(
        source=path,
        layout=layout.layout,
        responses=frame,
        text_questions=[_safe_name(q) for q in by_role[Role.TEXT]],
        closed_questions=[_safe_name(q) for q in by_role[Role.CLOSED]],
        columns=[_info(h, roles[h], stats[h]) for h in headers],
        group_column=group_col,
        consent_column=consent_col,
        id_column=id_col,
        group_options=groups.options,
        other_texts=groups.other_texts,
        warnings=warnings,
        set_aside=set_aside_answers(
            frame,
            [_safe_name(q) for q in by_role[Role.TEXT]],
            config,
            SetAsideCache(cache_dir, path.name, _set_aside_settings(config))
            if cache_dir is not None
            else None,
        ),
        language=language,
        include_other_languages=config.include_other_languages if config is not None else False,
    )


PRELOAD_FROM = 20_000  # answers to judge from which the language model is loaded in a thread
APART_FROM = 40_000  # answers to judge from which half are judged in a helper process


def set_aside_answers(
    frame: pd.DataFrame,
    questions: list[str],
    config: ProjectConfig | None,
    cache: SetAsideCache | None = None,
) -> dict[tuple[str, str], str]:
    """Answers that say nothing the dictionary could code, by (response ID, question): pointers
    to an attachment, tests, and answers in another language than the dictionary's (their
    language code). Each distinct answer is judged once (see _judge), or read from `cache`
    when an earlier run of the same export judged it under the same rules."""
    listed = _attachment_answers(config)
    expected = config.language if config is not None else "en"
    columns = {question: frame[question].tolist() for question in questions}
    distinct = {t for cells in columns.values() for t in cells if isinstance(t, str) and t}
    remembered = cache.load() if cache is not None else {}
    digests = {t: text_digest(t) for t in distinct} if cache is not None else {}
    kinds = {t: remembered[d] for t, d in digests.items() if d in remembered}
    fresh = [t for t in distinct if t not in kinds]
    kinds.update(zip(fresh, _judge(fresh, listed, expected), strict=True))
    if cache is not None and (fresh or len(digests) != len(remembered)):  # else all as before
        cache.save({digests[t]: kind for t, kind in kinds.items()})
    verdicts = {t: kind for t, kind in kinds.items() if kind}
    ids = frame[RESPONSE_ID].tolist()
    return {
        (rid, question): verdicts[text]
        for question, cells in columns.items()
        for rid, text in zip(ids, cells, strict=True)
        if text in verdicts
    }


def _judge(texts: list[str], listed: frozenset[str], expected: str) -> list[str]:
    """Each text's verdict: "attachment", "test", a language code, or KEPT.

    Most are decided without the language model. For a large export the model is loaded in a
    thread meanwhile (an export that size almost always has an answer only it can judge), and
    where processes fork, half the texts are judged in a helper process; the thread is waited
    for before returning, since parsing processes are forked next."""
    if len(texts) < PRELOAD_FROM:
        first = _first_verdicts(texts, listed, expected)
    elif len(texts) >= APART_FROM and forks():
        half = len(texts) // 2
        helper, theirs = run_apart(_first_verdicts, texts[half:], listed, expected)
        with helper:
            load_model_in_background()  # after the fork: no thread may run while it forks
            first = _first_verdicts(texts[:half], listed, expected)
            try:
                first += theirs.result()
            except BrokenProcessPool:  # the helper stopped (memory?): judge its half here
                first += _first_verdicts(texts[half:], listed, expected)
    else:
        load_model_in_background()
        first = _first_verdicts(texts, listed, expected)
    verdicts = [
        _language_verdict(model_language(text), expected) if verdict == NEEDS_MODEL else verdict
        for text, verdict in zip(texts, first, strict=True)
    ]
    if len(texts) >= PRELOAD_FROM:
        load_model_in_background().result()
    return verdicts


def _first_verdicts(texts: list[str], listed: frozenset[str], expected: str) -> list[str]:
    """_judge's verdicts as far as they go without the language model (NEEDS_MODEL there)."""
    verdicts = []
    for text in texts:
        kind = set_aside_kind(text, listed)
        if kind is None:
            language = language_without_model(text, expected)
            kind = NEEDS_MODEL if language == NEEDS_MODEL else _language_verdict(language, expected)
        verdicts.append(kind)
    return verdicts


def _language_verdict(language: str | None, expected: str) -> str:
    return language if language not in (None, expected) else KEPT


def _attachment_answers(config: ProjectConfig | None) -> frozenset[str]:
    configured = config.attachment_answers if config is not None else None
    return answer_set(DEFAULT_ATTACHMENT_ANSWERS if configured is None else configured)


def _set_aside_settings(config: ProjectConfig | None) -> str:
    """The settings set-aside verdicts depend on, as a cache key: the dictionary's language and
    the attachment answers."""
    language = config.language if config is not None else "en"
    return "\x00".join([language, *sorted(_attachment_answers(config))])


def _frame(
    ids: list[str],
    numbers: list[int],
    groups: Groups,
    consent: list[Consent] | None,
    columns: dict[str, list[str]],
    by_role: dict[Role, list[str]],
    config: ProjectConfig | None,
) -> pd.DataFrame:
    """Object columns so that None stays None (pandas would otherwise infer NaN-filled strings).

    Free-text cells are tested for non-answers once per distinct value.
    """
    configured = config.non_answers if config is not None else None
    non_answers = non_answer_set(DEFAULT_NON_ANSWERS if configured is None else configured)
    data: dict[str, pd.Series] = {
        RESPONSE_ID: pd.Series(ids, dtype=object),
        SOURCE_ROW: pd.Series(numbers, dtype="int64"),
        GROUPS: pd.Series(groups.lists, dtype=object),
        GROUPS_RAW: pd.Series(groups.raw, dtype=object),
        CONSENT: pd.Series(consent or [Consent.UNKNOWN] * len(ids), dtype=object),
    }
    longest = max(map(len, non_answers), default=0)
    for question in by_role[Role.TEXT]:
        cells = columns[question]
        answer = {
            v: v if v and not is_non_answer(v, non_answers, longest) else None for v in set(cells)
        }
        data[_safe_name(question)] = pd.Series(list(map(answer.__getitem__, cells)), dtype=object)
    for question in by_role[Role.CLOSED]:
        data[_safe_name(question)] = pd.Series([v or None for v in columns[question]], dtype=object)
    return pd.DataFrame(data)


def _safe_name(question: str) -> str:
    """Question columns never collide with the fixed columns of Survey.responses."""
    return f"{question} (question)" if question in FIXED_COLUMNS else question


def _info(header: str, choice: RoleChoice, stats: ColumnStats) -> ColumnInfo:
    return ColumnInfo(
        name=header,
        role=choice[0],
        reason=choice[1],
        fill_rate=stats.fill_rate,
        mean_words=stats.mean_words,
        distinct=stats.distinct,
    )


def response_ids(values: list[str] | None, numbers: list[int], warnings: list[str]) -> list[str]:
    """Unique IDs: the export's own (repeats suffixed "#2"), else made from row numbers."""
    if values is None:
        warnings.append(
            "No response ID column found; IDs were made from row numbers "
            f"(row-{numbers[0]:04d} = spreadsheet row {numbers[0]})."
        )
        return [f"row-{n:04d}" for n in numbers]
    stripped = [v.strip() for v in values]
    seen: Counter[str] = Counter(stripped)
    del seen[""]
    if len(seen) == len(stripped):  # no blank and no repeated ID: the usual case
        return stripped
    ids: list[str] = []
    used: set[str] = set()
    repeats: list[str] = []
    blanks: list[int] = []
    for rid, number in zip(stripped, numbers, strict=True):
        if not rid:
            blanks.append(number)
            rid = f"row-{number:04d}"
        elif seen[rid] > 1 and rid in used:
            repeats.append(f"{rid} (row {number})")
            rid = _next_free(rid, used)
        used.add(rid)
        ids.append(rid)
    if repeats:
        shown = ", ".join(repeats[:5]) + (
            f" and {len(repeats) - 5} more" if len(repeats) > 5 else ""
        )
        warnings.append(
            f"{_count(len(repeats), 'response ID appears', 'response IDs appear')} more than once: "
            f"{shown}; every row was kept and "
            "each repeat was given a suffix (ID#2, ID#3) so it can be told apart."
        )
    if blanks:
        warnings.append(
            f"{_count(len(blanks), 'response has', 'responses have')} no ID ({row_list(blanks)}); "
            "IDs were made from the row numbers instead (row-0005 = spreadsheet row 5)."
        )
    return ids


def _next_free(rid: str, used: set[str]) -> str:
    n = 2
    while f"{rid}#{n}" in used:
        n += 1
    return f"{rid}#{n}"


@dataclass
class Groups:
    """Each response's respondent groups, as exported and as a list of whole options."""

    lists: list[list[str]]
    raw: list[str]
    options: list[str] = field(default_factory=list)
    other_texts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def empty(cls, n: int) -> Groups:
        return cls([[] for _ in range(n)], [""] * n)


def respondent_groups(
    layout: LayoutResult,
    group_col: str | None,
    columns: dict[str, list[str]],
    ids: list[str],
    config: ProjectConfig | None,
) -> Groups:
    """Split the group answers into whole options; typed "Other" text goes to other_texts."""
    if group_col is None:
        return Groups.empty(len(ids))
    groups = Groups([], list(columns[group_col]))
    if group_col in layout.combined:
        groups.lists = [
            ["Other" if is_other_label(o) else o for o in chosen]
            for chosen in layout.combined[group_col]
        ]
        texts = layout.other_text.get(group_col, [""] * len(ids))
        groups.other_texts = {rid: t for rid, t in zip(ids, texts, strict=True) if t}
        listed = ["Other" if is_other_label(o) else o for o in layout.options.get(group_col, [])]
    else:
        configured = config.group_options if config is not None else ()
        known = learn_options(groups.raw, layout.separator, configured)
        selections = {  # each distinct answer split once: big exports repeat a few answers
            value: split_selection(value, layout.separator, known, closed=bool(configured))
            for value in set(groups.raw)
        }
        options = {value: selection.options for value, selection in selections.items()}
        groups.lists = list(map(list, map(options.__getitem__, groups.raw)))
        typed = {value for value, selection in selections.items() if selection.other_text}
        if typed:
            groups.other_texts = {
                rid: selections[value].other_text
                for rid, value in zip(ids, groups.raw, strict=True)
                if value in typed
            }
        listed = list(configured)
        _add_other_columns(groups, layout, group_col, columns, ids)
    labels = code_labels(set(chain.from_iterable(groups.lists)))
    if labels:
        groups.lists = [[labels.get(o, o) for o in chosen] for chosen in groups.lists]
        listed = [labels.get(o, o) for o in listed]
    counts = Counter(chain.from_iterable(groups.lists))
    seen = sorted(counts, key=lambda o: (-counts[o], o))
    groups.options = list(dict.fromkeys([*(o for o in listed if o in counts), *seen]))
    return groups


_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$")
ACRONYMS = frozenset({"eu", "ngo", "nhs", "sme", "uk", "us", "un", "send", "sen", "ehcp", "it"})


def code_labels(options: set[str]) -> dict[str, str]:
    """Labels for group answers written as codes ("business_association" -> "Business
    association", "NGO" -> "NGO", "EU_CITIZEN" -> "EU citizen"), when every answer is a code:
    a tool's internal values rather than words a respondent chose."""
    if not options or not all(_CODE.match(o) for o in options):
        return {}
    if not all("_" in o or o.islower() or o.isupper() for o in options):
        return {}  # "Parent", "Carer": words as a respondent would write them

    def label(code: str) -> str:
        words = code.lower().split("_")
        shown = [w.upper() if w in ACRONYMS else w for w in words]
        first = shown[0]
        shown[0] = first if first.isupper() else first.capitalize()
        return " ".join(shown)

    return {o: label(o) for o in options}


def _add_other_columns(
    groups: Groups,
    layout: LayoutResult,
    group_col: str,
    columns: dict[str, list[str]],
    ids: list[str],
) -> None:
    """Text typed into the group question's "Other" box in a column of its own (Qualtrics)."""
    for text_col, question in layout.other_columns.items():
        if question != group_col:
            continue
        for index, (rid, text) in enumerate(zip(ids, columns[text_col], strict=True)):
            if not text:
                continue
            typed = [groups.other_texts[rid], text] if rid in groups.other_texts else [text]
            groups.other_texts[rid] = ", ".join(typed)
            if "Other" not in groups.lists[index]:
                groups.lists[index].append("Other")


def _warn_empty(
    frame: pd.DataFrame,
    ids: list[str],
    numbers: list[int],
    by_role: dict[Role, list[str]],
    warnings: list[str],
) -> None:
    """Responses with an ID but no answers are kept (they were submitted) but worth a look."""
    questions = [_safe_name(q) for q in by_role[Role.TEXT] + by_role[Role.CLOSED]]
    answered = (
        frame[questions].notna().any(axis=1) if questions else pd.Series(False, index=frame.index)
    )
    has_group = frame[GROUPS].map(bool)
    quiet = ~(answered.to_numpy(dtype=bool) | has_group.to_numpy(dtype=bool))
    empty = [f"{ids[i]} (row {numbers[i]})" for i in np.flatnonzero(quiet).tolist()]
    if empty:
        shown = ", ".join(empty[:3]) + (f" and {len(empty) - 3} more" if len(empty) > 3 else "")
        warnings.append(
            f"{_count(len(empty), 'response has', 'responses have')} no answers at all ({shown}); "
            f"{'it was' if len(empty) == 1 else 'they were'} kept and counted as having no free text."
        )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
