"""Compatibility re-export: the rule engine moved to sendconsult.nlp.engine.

Kept so that code still importing `sendconsult.classify` (the classifier's training and
evaluation commands) works unchanged; new code imports from sendconsult.nlp.engine.
"""

from sendconsult.nlp.engine import (
    EXCLUDE_WINDOW,
    NEGATION_RULE,
    ThemeClassifier,
    answer_pieces,
    count_answers,
    negation_cue,
)

__all__ = ["EXCLUDE_WINDOW", "NEGATION_RULE", "ThemeClassifier", "answer_pieces", "count_answers", "negation_cue"]
