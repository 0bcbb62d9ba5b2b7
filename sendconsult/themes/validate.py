"""Checks of a dictionary that are worth a warning but do not stop a run.

`themes check` prints these with line numbers: the same term in two themes (a response would
count for both), repeated terms, terms too short or too common to mean anything, wildcards that
match far more than intended, and terms the tokenizer splits differently from how they are
written (so they can never match as the officer expects).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sendconsult.themes.model import Term, TermKind, ThemeDictionary

STOP_WORDS = {
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "is", "it", "we", "i",
    "be", "not", "no", "at", "by", "as", "my", "our", "they", "he", "she", "this", "that",
}  # fmt: skip


@dataclass(frozen=True)
class DictionaryIssue:
    """One finding about a dictionary: where, which term, what to do."""

    level: str  # "warning" or "error"
    line: int | None
    theme_id: str
    term: str
    message: str


def check_dictionary(dictionary: ThemeDictionary) -> list[DictionaryIssue]:
    """Findings that need no pipeline: duplicates, stop words, over-broad wildcards."""
    issues: list[DictionaryIssue] = []
    owners: dict[str, list[tuple[str, int | None]]] = {}
    for theme in dictionary.themes:
        seen: set[str] = set()
        for term in [*theme.terms, *theme.weak]:
            key = " ".join(term.text.lower().split())
            if key in seen:
                issues.append(
                    _issue(
                        term,
                        theme.id,
                        f"term '{term.text}' is listed twice in theme '{theme.id}' (terms and "
                        "weak count as one list); delete one.",
                    )
                )
            seen.add(key)
            owners.setdefault(key, []).append((theme.id, term.line))
            issues.extend(_term_shape(term, theme.id))
    for key, places in owners.items():
        roots = {dictionary.root_of(t) for t, _ in places}
        if len(roots) > 1:
            theme_id, line = places[-1]
            where = ", ".join(f"'{t}' (line {ln})" for t, ln in places)
            issues.append(
                DictionaryIssue(
                    "warning",
                    line,
                    theme_id,
                    key,
                    f"term '{key}' is in several themes: {where}; a response using it counts for each.",
                )  # fmt: skip
            )
    return sorted(issues, key=lambda i: (i.line or 0, i.term))


def _term_shape(term: Term, theme_id: str) -> list[DictionaryIssue]:
    issues: list[DictionaryIssue] = []
    words = (
        term.words
        if term.kind is not TermKind.NEAR
        else tuple(w for side in term.words for w in side.split())
    )
    if term.kind is TermKind.PHRASE and all(w in STOP_WORDS for w in words):
        issues.append(
            _issue(
                term,
                theme_id,
                f"term '{term.text}' is only common words and will match almost every response.",
            )
        )
    elif term.kind is TermKind.PHRASE and len(term.text.replace(" ", "")) <= 2:
        issues.append(
            _issue(
                term,
                theme_id,
                f"term '{term.text}' is very short; check it does not match unrelated words (use 'themes check DICT EXPORT --kwic').",
            )
        )
    if term.kind is TermKind.WILDCARD and len(term.words[-1]) < 4:
        issues.append(
            _issue(
                term,
                theme_id,
                f"wildcard '{term.text}' has a short stem and may match unrelated words (e.g. 'car*' matches 'career'); lengthen it or list the words.",
            )
        )
    return issues


def unmatchable_terms(
    dictionary: ThemeDictionary, tokenize: Callable[[str], list[str]]
) -> list[DictionaryIssue]:
    """Terms whose words the pipeline splits differently from how they are written.

    `tokenize` gives the pipeline's tokens (or lemmas) for a piece of text. A wildcard whose
    stem ends in punctuation ("post-*"), alone or as a side of a NEAR term, cannot match the
    words it is meant for: "post-school" is read as "post", "-", "school" (only a few forms
    such as "post-16" stay whole). A phrase with no words matches nothing. Exclude phrases
    are checked too: one that cannot match never vetoes anything.
    """
    issues: list[DictionaryIssue] = []
    for theme in dictionary.themes:
        listed = [
            *[(term, "") for term in theme.terms],
            *[(term, "weak ") for term in theme.weak],
            *[(term, "exclude ") for term in theme.exclude],
        ]
        for term, role in listed:
            kind = "wildcard" if term.kind is TermKind.WILDCARD else "term"
            for stem in _wildcard_stems(term):
                # A wildcard matches words that extend its last token; if the tokenizer splits
                # "stem" + letters apart, no word written with letters after it extends it.
                last = (tokenize(stem) or [""])[-1]
                extended = (tokenize(stem + "abc") or [""])[-1]
                if extended != last + "abc":
                    issues.append(
                        DictionaryIssue(
                            "error",
                            term.line,
                            theme.id,
                            term.text,
                            f"{role}{kind} '{term.text}' cannot match words that continue "
                            f"'{stem.split()[-1]}' with letters: they are split at its "
                            "punctuation; put the * straight after letters, e.g. "
                            "'commission*', or list the words as phrases.",
                        )  # fmt: skip
                    )
            if term.kind is TermKind.PHRASE and not tokenize(term.text):
                issues.append(
                    DictionaryIssue(
                        "error",
                        term.line,
                        theme.id,
                        term.text,
                        f"{role}term '{term.text}' has no words to match.",
                    )
                )
    return issues


def _wildcard_stems(term: Term) -> list[str]:
    """The text before each '*' of a term: its own, or that of each NEAR side ending in '*'."""
    if term.kind is TermKind.WILDCARD:
        return [" ".join(term.words)]
    if term.kind is TermKind.NEAR:
        return [side[:-1] for side in term.words if side.endswith("*")]
    return []


def _issue(term: Term, theme_id: str, message: str) -> DictionaryIssue:
    return DictionaryIssue("warning", term.line, theme_id, term.text, message)
