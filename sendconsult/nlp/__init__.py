"""Coding answers: from text to the themes each answer mentions.

pipeline (the spaCy pipeline that parses answers and terms alike), matching (terms, wildcards
and NEAR as candidate spans), negation (the negation rule and its words), weak_evidence
(weak terms that count only beside a strong one), engine (the rules that turn candidates into
a Coding: excludes, negation, de-duplication), workers (parsing in parallel processes),
arrays (numpy helpers the rules share), term_stats (which terms matched, for warnings).
"""
