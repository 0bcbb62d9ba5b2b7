"""The negation rule's words are declared once (negation.CUES): the rule's text and its fast
pre-check come from that table, so adding a cue word is a change to the table alone."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from sendconsult.nlp.negation import CUES, NEGATION_RULE, NegationRule, VerdictPhrase


def all_words(cues) -> list[str]:  # noqa: ANN001
    words = []
    for field in dataclasses.fields(cues):
        value = getattr(cues, field.name)
        if field.name == "verdict_phrases":
            words += [w for phrase in value for w in (*phrase.first, *phrase.then)]
        else:
            words += list(value)
    return words


@pytest.mark.parametrize("word", sorted(set(all_words(CUES))))
def test_every_cue_word_is_in_the_rule_text(word: str):
    # Quoted ('but'), listed (no, not, ...) or last in a list (... or neither).
    assert re.search(rf"(?:^|[\s('])({re.escape(word)})(?:$|[\s,;)'])", NEGATION_RULE), word


def _denies(rule: NegationRule, nlp, text: str, mention: str) -> tuple[str | None, bool]:  # noqa: ANN001
    """The rule's cue for `mention` in `text`, and whether its pre-check lets it through."""
    doc = nlp(text)
    lemmas = [t.lemma for t in doc]
    start = next(t.i for t in doc if t.lower_ == mention)
    sentence = (doc[start].sent.start, doc[start].sent.end)
    cue = rule.cue_at(lemmas, lambda i: doc[i].text, start, start + 1, sentence)
    passes = rule.may_deny(
        np.array(lemmas, dtype=np.uint64),
        np.array([start]),
        np.array([start + 1]),
        np.array([sentence[0]]),
        np.array([sentence[1]]),
    )
    return cue, bool(passes[0])


def test_a_new_verdict_word_in_the_table_alone_changes_the_rule(nlp):
    text = "The transport has been dandy this year."
    assert _denies(NegationRule(CUES), nlp, text, "transport") == (None, False)
    added = NegationRule(dataclasses.replace(CUES, verdict_words=(*CUES.verdict_words, "dandy")))
    assert _denies(added, nlp, text, "transport") == ("negation: has been dandy", True)
    assert "dandy" in added.text and "dandy" not in NEGATION_RULE


def test_a_new_negator_and_a_new_verdict_phrase_work_the_same_way(nlp):
    before = "We hardly need the respite service."
    assert _denies(NegationRule(CUES), nlp, before, "respite") == (None, False)
    added = NegationRule(dataclasses.replace(CUES, negators=(*CUES.negators, "hardly")))
    assert _denies(added, nlp, before, "respite") == ("negation: hardly need the", True)
    after = "The transport runs smoothly."
    assert _denies(NegationRule(CUES), nlp, after, "transport") == (None, False)
    phrase = VerdictPhrase(("run",), ("smoothly",), 1, "runs smoothly")
    added = NegationRule(
        dataclasses.replace(CUES, verdict_phrases=(*CUES.verdict_phrases, phrase))
    )
    assert _denies(added, nlp, after, "transport") == ("negation: runs smoothly", True)
    assert "'run' followed by smoothly (as in 'runs smoothly')" in added.text


def test_the_shipped_table_still_denies_what_it_did(nlp):
    rule = NegationRule(CUES)
    assert _denies(rule, nlp, "The transport has been fine.", "transport") == (
        "negation: has been fine",
        True,
    )
    assert _denies(rule, nlp, "Transport is not an issue for us.", "transport") == (
        "negation: is not an issue for",  # the three words after "not" are quoted
        True,
    )
    assert _denies(rule, nlp, "There is not enough transport.", "transport")[0] is None
