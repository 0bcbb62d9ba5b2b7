"""Compatibility re-export: weak evidence moved to sendconsult.nlp.weak_evidence.

Kept so that code still importing `sendconsult.weak_evidence` (the evaluate command) works
unchanged; new code imports from sendconsult.nlp.weak_evidence.
"""

from sendconsult.nlp.weak_evidence import WEAK_RULE, WEAK_VETO, WeakRules, decided_by, weak_terms

__all__ = ["WEAK_RULE", "WEAK_VETO", "WeakRules", "decided_by", "weak_terms"]
