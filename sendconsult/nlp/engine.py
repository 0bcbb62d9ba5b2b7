"""Coding responses to themes, keeping the evidence for every code.

One `ThemeClassifier` is built per dictionary and pipeline. matching.py finds each term's
candidates in an answer; this module decides what they mean for the response:

- a candidate codes the theme of its term (a sub-theme's match codes its parent too);
- an exclude phrase of the theme in the same sentence, overlapping or within a few tokens,
  vetoes it;
- so does the negation rule (negation.py): a mention that denies the theme is a concern;
- a weak term's match counts only beside a second term of its theme (weak_evidence.py).

Each candidate becomes a `Match` with character offsets into the answer, so reports can
highlight the words; vetoed ones are kept with the reason, for `explain` and `evaluate`.
Identical answers (form letters, "see above") are parsed once; see workers.py for the
parallel processes and the parse cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc

from sendconsult.caches.parse import ParseCache
from sendconsult.coding import Coding, Match, MatchRow, match_from
from sendconsult.nlp.arrays import expand
from sendconsult.nlp.matching import Candidates, TermMatcher, term_key
from sendconsult.nlp.negation import NEGATION_RULE, negation_cue
from sendconsult.nlp.pipeline import MAX_TEXT_CHARS
from sendconsult.nlp.weak_evidence import WeakRules
from sendconsult.nlp.workers import find_rows
from sendconsult.survey import RESPONSE_ID, Survey
from sendconsult.themes.model import Term, Theme, ThemeDictionary

__all__ = ["NEGATION_RULE", "ThemeClassifier", "count_answers", "negation_cue"]

EXCLUDE_WINDOW = 3

Progress = Callable[[int], None]


@dataclass(frozen=True)
class _Rule:
    """A term of a theme: what a candidate of its key means."""

    rule_theme_id: str
    root_theme_id: str
    term: str
    order: int  # position in the dictionary: the first listed term names a shared match
    excludes: tuple[tuple[str, str], ...] = ()  # (key, text) of excludes of its theme and root
    weak: bool = False  # a weak term: counts only beside a second term (weak_evidence.py)


class ThemeClassifier:
    """The matchers and rules of one dictionary, built with the pipeline that parses answers."""

    def __init__(self, dictionary: ThemeDictionary, nlp: Language) -> None:
        self.dictionary = dictionary
        self.nlp = nlp
        self.theme_ids = dictionary.theme_ids
        self._rules_by_key: dict[str, list[_Rule]] = {}
        self._rules: list[_Rule] = []
        terms: dict[str, Term] = {}
        for theme in dictionary.themes:
            root = dictionary.root_of(theme.id)
            for term, weak in [(t, False) for t in theme.terms] + [(t, True) for t in theme.weak]:
                key = term_key(term)
                terms.setdefault(key, term)
                rule = _Rule(
                    theme.id, root, term.text, len(self._rules), self._theme_excludes(theme), weak
                )
                self._rules.append(rule)
                self._rules_by_key.setdefault(key, []).append(rule)
            for term in theme.exclude:
                terms.setdefault(term_key(term), term)
        self.terms = list(terms.values())
        self.matcher = TermMatcher(nlp, self.terms)
        self.weak_rules = WeakRules(
            tuple(r.weak for r in self._rules),
            tuple(r.root_theme_id for r in self._rules),
            tuple(r.term for r in self._rules),
        )
        column = {theme: j for j, theme in enumerate(self.theme_ids)}
        # Per rule, by its order: the first fields of its Match, and the theme column it codes
        # (a run makes a Match per mention, hundreds of thousands: looked up, not rebuilt).
        self._match_heads = [(r.root_theme_id, r.rule_theme_id, r.term) for r in self._rules]
        self._rule_column = [column[r.root_theme_id] for r in self._rules]
        self._layouts: dict[tuple[str, ...], _RuleLayout] = {}

    def _theme_excludes(self, theme: Theme) -> tuple[tuple[str, str], ...]:
        """The exclude phrases that veto a match of this theme: its own and its root's."""
        themes = [theme]
        if theme.parent is not None:
            themes.append(self.dictionary.theme(self.dictionary.root_of(theme.id)))
        return tuple((term_key(t), t.text) for th in themes for t in th.exclude)

    @property
    def keys(self) -> list[str]:
        """The term keys this dictionary needs candidates for (terms and excludes)."""
        return self.matcher.keys

    # -- one answer -------------------------------------------------------------------------

    def match_doc(self, doc: Doc, question: str) -> list[Match]:
        """Every match of the dictionary in one parsed answer, vetoed ones included."""
        text = doc.text
        return self.resolve(self.matcher.find(doc, text), text, question)

    def resolve(self, found: Candidates, text: str, question: str, offset: int = 0) -> list[Match]:
        """The matches that candidates found in `text` make, in text order.

        `offset` is where `text` starts in the whole answer (non-zero for the pieces of an
        answer too long to parse at once); match offsets are into the whole answer.
        """
        return self.matches_of(self.resolve_rows(found), text, question, offset)

    def resolve_rows(self, found: Candidates) -> list[MatchRow]:
        """The matches one text's candidates make, as rows (see MatchRow), in text order: the
        rule of `resolve_many`, applied to one text."""
        index = {key: j for j, key in enumerate(self.keys)}
        cues: list[str] = []
        rows: list[tuple[int, ...]] = []
        for key, candidates in found.items():
            for candidate in candidates:
                cue = -1
                if candidate.cue is not None:
                    cue = len(cues)
                    cues.append(candidate.cue)
                rows.append((0, index[key], *candidate[:7], cue))
        if not rows:
            return []
        return self.resolve_many(np.array(rows, dtype=np.int64), cues, self.keys, 1)[0]

    def resolve_many(
        self, rows: np.ndarray, cues: list[str], keys: list[str], n_texts: int
    ) -> list[list[MatchRow]]:
        """The matches that the candidates of many texts make, per text, as rows (see
        MatchRow) in text order. Candidates come as rows (the layout of matching.CandidateRows,
        keys indices into `keys`).

        Each candidate codes its term's theme unless an exclude phrase of the theme is close
        by (_first_veto) or the mention is negated (its cue); where two terms of a theme found
        the same words, the one listed first names the match. This is the one implementation
        of these rules: a run resolves hundreds of thousands of candidates at once, and
        `resolve_rows` (explain, one answer) passes one text's candidates here too.
        """
        result: list[list[MatchRow]] = [[] for _ in range(n_texts)]
        layout = self._layout(tuple(keys))
        if not len(rows) or not layout.rules_per_key.any():
            return result
        # One hit per candidate and rule of its key; `position` keeps the candidates' order.
        position, copy = expand(layout.rules_per_key[rows[:, 1]])
        order = layout.rule_order[layout.first_rule[rows[position, 1]] + copy]
        hits = rows[position]
        text, start, end = hits[:, 0], hits[:, 4], hits[:, 5]
        # Two rules of a theme on the same words: the first listed (lowest order) names it.
        theme = layout.theme_of[order]
        by_identity = np.lexsort((position, order, theme, end, start, text))
        identity = np.stack([text, theme, start, end])[:, by_identity]
        first = np.ones(len(by_identity), dtype=bool)
        first[1:] = (identity[:, 1:] != identity[:, :-1]).any(axis=0)
        kept = by_identity[first]
        kept = kept[np.lexsort((position[kept], order[kept], end[kept], start[kept], text[kept]))]
        # what each row says: a veto by an exclude phrase, else its negation cue, else None
        labels = np.array([None, *cues, *layout.veto_texts], dtype=object)
        veto = _first_veto(rows, hits[kept], order[kept], layout)
        label = np.where(veto >= 0, 1 + len(cues) + veto, hits[kept, 9] + 1)
        found = list(
            zip(
                order[kept].tolist(),
                start[kept].tolist(),
                end[kept].tolist(),
                hits[kept, 7].tolist(),
                hits[kept, 8].tolist(),
                labels[label].tolist(),
                strict=True,
            )
        )
        bounds = np.searchsorted(text[kept], np.arange(n_texts + 1))
        for i in np.flatnonzero(np.diff(bounds)).tolist():  # the texts with any row
            result[i] = found[bounds[i] : bounds[i + 1]]
        if self.weak_rules.any:  # only texts with a weak term's match need deciding
            for i in np.unique(text[kept][self.weak_rules.flags[order[kept]]]).tolist():
                result[i] = self.weak_rules.decide(result[i])
        return result

    def _layout(self, keys: tuple[str, ...]) -> _RuleLayout:
        """The rules of these keys as arrays (built once per list of keys)."""
        layout = self._layouts.get(keys)
        if layout is None:
            layout = self._layouts[keys] = _RuleLayout.of(self._rules, self._rules_by_key, keys)
        return layout

    def matches_of(
        self, rows: list[MatchRow], text: str, question: str, offset: int = 0
    ) -> list[Match]:
        """The MatchRows found in `text` as Matches of an answer to `question`, in one pass:
        a run makes one per mention, hundreds of thousands."""
        heads = self._match_heads
        return [
            match_from(
                heads[order]
                + (
                    text[start:end],
                    question,
                    start + offset,
                    end + offset,
                    text[sentence_start:sentence_end].strip(),
                    veto,
                )
            )
            for order, start, end, sentence_start, sentence_end, veto in rows
        ]

    def codes_of(self, rows: list[MatchRow]) -> list[int]:
        """The theme columns (indices into theme_ids) that match rows code."""
        column = self._rule_column
        return sorted({column[r[0]] for r in rows if r[5] is None})

    # -- a whole survey ---------------------------------------------------------------------

    def classify(
        self,
        survey: Survey,
        *,
        progress: Progress | None = None,
        jobs: int = 1,
        cache: ParseCache | None = None,
        parsed: Callable[[], object] | None = None,
    ) -> Coding:
        """Code every response of a survey: all its free-text answers together.

        `progress` is called with the number of texts done as work advances (the total is
        `count_answers(survey)`); `jobs` is the most processes to parse on; `cache` keeps
        candidates between runs; `parsed` is called once every answer is parsed and any worker
        processes have stopped, so that work may start in another thread from then on.
        """
        items = list(answer_pieces(survey, self.nlp.max_length))
        index: dict[str, int] = {}
        text_of_item = [index.setdefault(text, len(index)) for _, _, text, _ in items]
        rows = find_rows(self, list(index), jobs=jobs, cache=cache, progress=progress)
        if parsed is not None:
            parsed()
        coded = [self.codes_of(text_rows) if text_rows else [] for text_rows in rows]
        ids = list(survey.responses[RESPONSE_ID])
        row_of = {rid: i for i, rid in enumerate(ids)}
        questions = list(survey.text_questions)
        question_of = {q: i for i, q in enumerate(questions)}
        coded_rows: list[int] = []
        coded_columns: list[int] = []
        coded_questions: list[int] = []
        evidence: dict[str, list[Match]] = {}
        matches_of = self.matches_of
        for (response_id, question, text, offset), at in zip(items, text_of_item, strict=True):
            text_rows = rows[at]
            if not text_rows:
                continue
            found = evidence.setdefault(response_id, [])
            found.extend(matches_of(text_rows, text, question, offset))
            if coded[at]:
                coded_rows.extend([row_of[response_id]] * len(coded[at]))
                coded_columns.extend(coded[at])
                coded_questions.extend([question_of[question]] * len(coded[at]))
        values = np.zeros((len(ids), len(self.theme_ids)), dtype=np.int64)
        values[coded_rows, coded_columns] = 1
        codes = pd.DataFrame(values, index=pd.Index(ids, name=RESPONSE_ID), columns=self.theme_ids)
        answer_codes = np.array([coded_rows, coded_questions, coded_columns], dtype=np.int64).T
        return Coding(
            theme_ids=list(self.theme_ids),
            codes=codes,
            matches=evidence,
            answer_codes=answer_codes.reshape(-1, 3),
            questions=questions,
        )


@dataclass(frozen=True)
class _RuleLayout:
    """The rules of a list of term keys as arrays, for resolving many texts at once.

    Key k has `rules_per_key[k]` rules, whose orders follow each other in `rule_order` from
    `first_rule[k]`; `theme_of[order]` numbers the rule's theme. Rule `order` has
    `excludes_per_rule[order]` exclude phrases (in its order: its theme's, then its root's)
    from `first_exclude[order]` in `exclude_key` (key index, -1 if not among the keys) and
    `veto_texts` (what a match it vetoes says). The same, looked up the other way for
    _first_veto: `excluding[k]` says whether key k is an exclude phrase of any rule, and
    `exclude_pairs` lists each (rule order, key) pair as order * len(keys) + key, sorted, with
    `pair_exclude` the rule's first exclude phrase of that key.
    """

    rules_per_key: np.ndarray
    first_rule: np.ndarray
    rule_order: np.ndarray
    theme_of: np.ndarray
    excludes_per_rule: np.ndarray
    first_exclude: np.ndarray
    exclude_key: np.ndarray
    veto_texts: list[str]
    excluding: np.ndarray
    exclude_pairs: np.ndarray
    pair_exclude: np.ndarray

    @classmethod
    def of(
        cls, rules: list[_Rule], rules_by_key: dict[str, list[_Rule]], keys: tuple[str, ...]
    ) -> _RuleLayout:
        of_key = [rules_by_key.get(k, ()) for k in keys]
        per_key = np.array([len(r) for r in of_key], dtype=np.int64)
        theme_ids = {t: i for i, t in enumerate(dict.fromkeys(r.rule_theme_id for r in rules))}
        index = {k: j for j, k in enumerate(keys)}
        per_rule = np.array([len(r.excludes) for r in rules], dtype=np.int64)
        exclude_key = np.array(
            [index.get(key, -1) for r in rules for key, _ in r.excludes], dtype=np.int64
        )
        rule, _ = expand(per_rule)  # the rule of each exclude phrase, which are in rule order
        known = exclude_key >= 0
        pairs = rule[known] * len(keys) + exclude_key[known]
        by_pair = np.argsort(pairs, kind="stable")  # a rule's first phrase of a key comes first
        first = np.ones(len(by_pair), dtype=bool)
        first[1:] = pairs[by_pair][1:] != pairs[by_pair][:-1]
        excluding = np.zeros(len(keys), dtype=bool)
        excluding[exclude_key[known]] = True
        return cls(
            rules_per_key=per_key,
            first_rule=np.cumsum(per_key) - per_key,
            rule_order=np.array([r.order for rs in of_key for r in rs], dtype=np.int64),
            theme_of=np.array([theme_ids[r.rule_theme_id] for r in rules], dtype=np.int64),
            excludes_per_rule=per_rule,
            first_exclude=np.cumsum(per_rule) - per_rule,
            exclude_key=exclude_key,
            veto_texts=[f"exclude: {text}" for r in rules for _, text in r.excludes],
            excluding=excluding,
            exclude_pairs=pairs[by_pair][first],
            pair_exclude=np.flatnonzero(known)[by_pair][first],
        )


def _first_veto(
    rows: np.ndarray, hits: np.ndarray, orders: np.ndarray, layout: _RuleLayout
) -> np.ndarray:
    """For each hit (a candidate row coding rule `orders[i]`), the first exclude phrase of
    its rule (index into layout.veto_texts) with a candidate among `rows` in the hit's text
    and sentence, overlapping it or within EXCLUDE_WINDOW words; -1 for none.

    Found from the exclude phrases' candidates, which are few, to the hits in their sentence,
    rather than from every hit to every exclude phrase of its rule, which are many."""
    veto = np.full(len(hits), -1, dtype=np.int64)
    excluding = rows[layout.excluding[rows[:, 1]]] if len(layout.exclude_pairs) else rows[:0]
    if not len(excluding) or not len(hits):
        return veto
    # hits grouped by (text, sentence), as one sortable number
    sentences = int(max(rows[:, 6].max(), hits[:, 6].max())) + 1
    group = hits[:, 0].astype(np.int64) * sentences + hits[:, 6]
    by_group = np.argsort(group, kind="stable")
    group = group[by_group]
    wanted = excluding[:, 0].astype(np.int64) * sentences + excluding[:, 6]
    low = np.searchsorted(group, wanted, "left")
    pair, k = expand(np.searchsorted(group, wanted, "right") - low)
    which = by_group[low[pair] + k]  # the hit of each (exclude candidate, hit) pair
    candidate, hit = excluding[pair], hits[which]
    code = orders[which].astype(np.int64) * len(layout.rules_per_key) + candidate[:, 1]
    at = np.minimum(np.searchsorted(layout.exclude_pairs, code), len(layout.exclude_pairs) - 1)
    listed = layout.exclude_pairs[at] == code  # the candidate's phrase excludes the hit's rule
    close = np.maximum(candidate[:, 2] - hit[:, 3], hit[:, 2] - candidate[:, 3]) <= EXCLUDE_WINDOW
    use = listed & close
    best = np.full(len(hits), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, which[use], layout.pair_exclude[at[use]])  # the first in rule order
    found = best < np.iinfo(np.int64).max
    veto[found] = best[found]
    return veto


def answer_pieces(survey: Survey, max_length: int) -> Iterator[tuple[str, str, str, int]]:
    """(response_id, question, text, offset) for every non-empty answer that counts, in survey
    order.

    An answer set aside when the export was read (an attachment pointer, a test, another
    language unless the officer included them: Survey.counts_answer) is not coded: it is out
    of the denominators, so it must not add to a theme's count either. An answer longer than
    the pipeline accepts is cut into pieces at line or sentence ends, so the whole text is
    still classified (a 10 MB answer is no reason to fail a run).
    """
    frame = survey.responses
    questions = survey.text_questions
    rows = frame[questions].itertuples(index=False)
    size = max_length // 2
    check = bool(survey.set_aside)
    for response_id, row in zip(frame[RESPONSE_ID], rows, strict=True):
        for question, value in zip(questions, row, strict=True):
            if check and not survey.counts_answer(response_id, question):
                continue
            if isinstance(value, str) and value.strip():
                if len(value) <= size:
                    yield response_id, question, value, 0
                else:
                    for piece, offset in _pieces(value, size):
                        yield response_id, question, piece, offset


def _pieces(text: str, size: int) -> Iterator[tuple[str, int]]:
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = max(window.rfind("\n"), window.rfind(". "))
        end = start + (cut + 1 if cut > size // 2 else size)
        yield text[start:end], start
        start = end
    yield text[start:], start


def count_answers(survey: Survey, max_length: int = MAX_TEXT_CHARS) -> int:
    """How many distinct texts classification will parse (the total of its progress).

    The same texts as answer_pieces gives, gathered a column at a time: only the rare answer
    too long to parse whole is cut into its pieces.
    """
    frame, size = survey.responses, max_length // 2
    texts: set[str] = set()
    ids = frame[RESPONSE_ID].tolist() if survey.set_aside else None
    for question in survey.text_questions:
        values = frame[question].tolist()
        if ids is not None:  # answers set aside are not coded (see answer_pieces)
            values = [v for rid, v in zip(ids, values, strict=True) if survey.counts_answer(rid, question)]
        texts.update(v for v in values if isinstance(v, str) and v.strip())
    for long_text in [t for t in texts if len(t) > size]:
        texts.discard(long_text)
        texts.update(piece for piece, _ in _pieces(long_text, size))
    return len(texts)
