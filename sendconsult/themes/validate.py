"""Checks of a dictionary that are worth a warning but do not stop a run.

`themes check` prints these with line numbers: the same term in two themes (a response would
count for both), repeated terms, terms too short or too common to mean anything, terms that look
like several list items run together or are far longer than the rest, wildcards that match far
more than intended (common words that begin with their stem), and terms the tokenizer splits
differently from how they are written (so they can never match as the officer expects).
"""

from __future__ import annotations

import gzip
import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources

from sendconsult.themes.model import Term, TermKind, ThemeDictionary

STOP_WORDS = {
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "is", "it", "we", "i",
    "be", "not", "no", "at", "by", "as", "my", "our", "they", "he", "she", "this", "that",
}  # fmt: skip
# A term is "far longer than the rest" with at least this many words and more than
# LONG_TERM_RATIO times the dictionary's usual (median) term.
LONG_TERM_WORDS = 6
LONG_TERM_RATIO = 3
# Common words: log-frequency at least this in spaCy's English frequency table
# (spacy-lookups-data en_lexeme_prob), about the 20,000 most frequent lower-case words.
COMMON_LOG_PROB = -14.0
# Endings that keep a word related to its stem (exam -> exams; plan -> planning).
RELATED_ENDINGS = {
    "", "s", "es", "ed", "d", "ing", "er", "ers", "or", "ors", "ment", "ments", "ion", "ions",
    "ation", "ations", "al", "ally", "ly", "ness", "ive", "ity", "ities", "ise", "ised", "ises",
    "ising", "ize", "ized", "izes", "izing", "y", "ies", "ied", "ist", "ists", "ic", "ical",
    "able", "ably", "ful", "ship", "ships", "e", "en",
}  # fmt: skip
SHOWN_WORDS = 5


@dataclass(frozen=True)
class DictionaryIssue:
    """One finding about a dictionary: where, which term, what to do."""

    level: str  # "warning" or "error"
    line: int | None
    theme_id: str
    term: str
    message: str
    fix: str | None = None  # the command that would show more, for the interface to name


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
    issues.extend(_long_terms(dictionary))
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
                f"term '{term.text}' is very short; check it does not match unrelated words.",
                fix="kwic-short",
            )
        )
    if " - " in f" {term.text} ":
        issues.append(
            _issue(
                term,
                theme_id,
                f"term '{term.text}' holds ' - ', as several list items run together do; if "
                "they are separate terms, put each on its own line, its '- ' lined up with the "
                "others.",
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


def _long_terms(dictionary: ThemeDictionary) -> list[DictionaryIssue]:
    """Terms far longer than the dictionary's others: usually lines run together by mistake."""
    listed = [(theme.id, t) for theme in dictionary.themes for t in [*theme.terms, *theme.weak]]
    if not listed:
        return []
    usual = statistics.median(_word_count(t) for _, t in listed)
    return [
        _issue(
            term,
            theme_id,
            f"term '{term.text}' has {_word_count(term)} words, far more than the dictionary's "
            f"other terms (usually {usual:g}); a phrase this long rarely matches word for word: "
            "check it is one term, or keep its key words.",
        )
        for theme_id, term in listed
        if _word_count(term) >= LONG_TERM_WORDS and _word_count(term) > LONG_TERM_RATIO * usual
    ]


def _word_count(term: Term) -> int:
    return len(" ".join(term.words).split())


def common_word_stems(
    dictionary: ThemeDictionary, common_words: Callable[[list[str]], list[str]] | None = None
) -> list[DictionaryIssue]:
    """One-word wildcards (and NEAR sides) of 4 letters or more whose stem also begins common
    words that are not forms of it: `exam*` matches "example", `fund*` "fundamental".

    Stems of 3 letters are warned about by check_dictionary whatever they match; a stem after
    other words ("short break*") is kept in place by them, so it is not checked.
    `common_words(stems)` gives the common English words beginning with any of the stems
    (default: spaCy's frequency table, see words_beginning).
    """
    places: dict[str, list[tuple[str, Term]]] = {}
    for theme in dictionary.themes:
        for term in [*theme.terms, *theme.weak]:
            for stem in _single_word_stems(term):
                if len(stem) >= 4:
                    places.setdefault(stem, []).append((theme.id, term))
    if not places:
        return []
    words = (common_words or words_beginning)(sorted(places))
    issues: list[DictionaryIssue] = []
    for stem, found in places.items():
        mine = [w for w in words if w.startswith(stem)]
        unrelated = [w for w in mine if not _related(stem, w)]
        if not unrelated:
            continue
        shown = ", ".join(unrelated[:SHOWN_WORDS])
        forms = [w for w in mine if _related(stem, w)][:3]
        instead = f"list the words you mean ({', '.join(forms)}) instead" if forms else (
            "list the words you mean instead"
        )
        for theme_id, term in found:
            where = "" if term.text == f"{stem}*" else f" in '{term.text}'"
            issues.append(
                _issue(
                    term,
                    theme_id,
                    f"wildcard '{stem}*'{where} also matches common words that may not be "
                    f"meant: {shown}; {instead}.",
                    fix="kwic",
                )
            )
    return issues


def _single_word_stems(term: Term) -> list[str]:
    if term.kind is TermKind.WILDCARD and len(term.words) == 1:
        return [term.words[0]]
    if term.kind is TermKind.NEAR:
        return [s[:-1] for s in term.words if s.endswith("*") and " " not in s]
    return []


def _related(stem: str, word: str) -> bool:
    """Whether a word is a form of the stem: an inflection or common derivation, with a
    doubled last letter allowed ("planning")."""
    rest = word[len(stem) :]
    return rest in RELATED_ENDINGS or (
        rest[:1] == stem[-1:] and rest[1:] in RELATED_ENDINGS and rest[1:] != ""
    )


def words_beginning(stems: Iterable[str]) -> list[str]:
    """Common English words beginning with any of the stems, most frequent first.

    Read from spaCy's English word-frequency table (spacy-lookups-data, a dependency already
    installed for the lemmatizer), keeping lower-case words of COMMON_LOG_PROB or more. The
    table is 30 MB of JSON; one regular expression over it finds the words of every stem
    at once, in well under a second, instead of loading a million entries.
    """
    wanted = sorted({s for s in stems if s})
    if not wanted:
        return []
    try:
        table = resources.files("spacy_lookups_data") / "data" / "en_lexeme_prob.json.gz"
        text = gzip.decompress(table.read_bytes()).decode("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):  # pragma: no cover
        return []
    pattern = re.compile(
        r'"((?:' + "|".join(map(re.escape, wanted)) + r')[a-z]*)":\s*(-?[0-9.]+(?:e-?[0-9]+)?)'
    )
    found = [(float(p), w) for w, p in pattern.findall(text) if float(p) >= COMMON_LOG_PROB]
    return [w for _, w in sorted(found, key=lambda pw: (-pw[0], pw[1]))]


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


def _issue(term: Term, theme_id: str, message: str, fix: str | None = None) -> DictionaryIssue:
    return DictionaryIssue("warning", term.line, theme_id, term.text, message, fix)
