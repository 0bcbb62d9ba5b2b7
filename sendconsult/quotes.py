"""Choosing representative quotes for each theme's summary.

A good quote is a sentence where the theme's most common matched terms appear, of readable
length, from a respondent to whom the theme is central (mentioned more than once, not once in
passing in a long answer) and who agreed to publication; quotes are spread across respondent
groups, never two from one campaign and never the same words twice. Quotes are redacted when
redaction is on, and always for respondents who asked to be published anonymously: their words
are quoted without identifying details, whatever the report's settings. In a theme raised by
many thousands, sentences are scored for an even spread of MAX_CANDIDATES of them
(how common each term is still counts every match): ten quotes need no more.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sendconsult.campaigns import CampaignResult
from sendconsult.coding import Coding
from sendconsult.privacy import Redactor
from sendconsult.survey import GROUPS, RESPONSE_ID, Consent, Survey

MAX_CANDIDATES = 3_000
# Patterns only (no NER pipeline): for anonymous respondents when the report is not redacted.
PATTERN_REDACTOR = Redactor()


@dataclass(frozen=True)
class Quote:
    """One quote for a theme's summary: who said it (as groups) and the words, redacted."""

    response_id: str
    groups: tuple[str, ...]
    text: str


def quote_redactor(consent: Consent | None, redactor: Redactor | None) -> Redactor | None:
    """The redactor for a respondent's quoted words: the report's (None when redaction is
    off), except that respondents publishing anonymously are always redacted."""
    if redactor is None and consent is Consent.ANONYMOUS:
        return PATTERN_REDACTOR
    return redactor


def representative_quotes(
    survey: Survey,
    coding: Coding,
    *,
    campaigns: CampaignResult | None,
    redactor: Redactor | None,
    per_theme: int = 10,
) -> dict[str, list[Quote]]:
    """Up to `per_theme` quotes per theme id, best first, from respondents who may be quoted."""
    frame = survey.responses
    consent = survey.consent_by_id()
    groups = dict(zip(frame[RESPONSE_ID], frame[GROUPS], strict=True))
    by_campaign = campaigns.by_response if campaigns else {}
    result: dict[str, list[Quote]] = {}
    for theme in coding.theme_ids:
        coded = set(coding.coded_ids(theme))  # an officer may have removed a code
        by_response = {
            rid: found
            for rid, found in coding.evidence_by_response(theme).items()
            if rid in coded and consent.get(rid) is not Consent.WITHHOLD
        }
        term_counts = Counter(m.term for found in by_response.values() for m in found)
        evidence_count = sum(term_counts.values())
        top_terms = {t for t, _ in term_counts.most_common(5)}
        candidates: dict[str, tuple[float, str]] = {}
        eligible = list(by_response)
        step = max(1, len(eligible) // MAX_CANDIDATES)  # an even spread of a large theme
        for rid in eligible[::step]:
            found = by_response[rid]
            terms_by_sentence: dict[str, set[str]] = {}
            for m in found:  # one pass: a 10 MB answer can hold 100,000 matches
                terms_by_sentence.setdefault(m.sentence, set()).add(m.term)
            central = _centrality(found, survey.texts(rid))
            for m in found:
                sentence = m.sentence.strip()
                words = len(sentence.split())
                if words < 6:
                    continue
                terms_here = terms_by_sentence[m.sentence]
                score = len(terms_here & top_terms) + term_counts[m.term] / max(1, evidence_count)
                score -= abs(words - 30) / 60  # prefer 12-60 words
                score += central
                if rid not in candidates or score > candidates[rid][0]:
                    candidates[rid] = (score, sentence)
        ranked = sorted(candidates.items(), key=lambda item: (-item[1][0], item[0]))
        result[theme] = _spread(ranked, groups, consent, by_campaign, redactor, per_theme)
    return result


_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")


def _centrality(found: list, texts: dict[str, str]) -> float:
    """How central the theme is to a respondent's answers: a bonus for several mentions (up
    to 3 more, in distinct places) and a penalty for a single mention in a long answer, which is
    most often incidental ("we also got the short breaks statement")."""
    places = {(m.question, m.start) for m in found}
    if len(places) > 1:
        return 0.6 * min(3, len(places) - 1)
    (question, _), = places
    sentences = len(_SENTENCE_END.findall(texts.get(question, ""))) or 1
    return -1.0 if sentences >= 4 else 0.0


def _spread(
    ranked: list[tuple[str, tuple[float, str]]],
    groups: dict[str, list[str]],
    consent: dict[str, Consent],
    by_campaign: dict[str, str],
    redactor: Redactor | None,
    limit: int,
) -> list[Quote]:
    """Round-robin over respondent groups, best first within each group."""
    queues: dict[str, list[tuple[str, str]]] = {}
    for rid, (_, sentence) in ranked:
        first_group = (groups.get(rid) or ["Not stated"])[0]
        queues.setdefault(first_group, []).append((rid, sentence))
    chosen: list[Quote] = []
    used_campaigns: set[str] = set()
    used_texts: set[str] = set()
    while len(chosen) < limit and any(queues.values()):
        for group in list(queues):
            if not queues[group] or len(chosen) >= limit:
                continue
            rid, sentence = queues[group].pop(0)
            campaign = by_campaign.get(rid)
            if campaign and campaign in used_campaigns:
                continue
            text = " ".join(sentence.split())
            if text.casefold() in used_texts:  # the same words from a second respondent
                continue
            if campaign:
                used_campaigns.add(campaign)
            used_texts.add(text.casefold())
            shown_by = quote_redactor(consent.get(rid), redactor)
            text = shown_by.redact(sentence) if shown_by else sentence
            chosen.append(Quote(rid, tuple(groups.get(rid) or ()), text))
    return chosen
