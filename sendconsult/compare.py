"""What changed between two runs: per theme counts before and after, and every response whose
themes changed, with the reason (the terms that matched, or an officer's override).

Officers revise the dictionary and re-run many times; this is how they see what a revision did.
Both runs are coding records (coding_record.py): one read from an earlier report, the other
either this run or another report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sendconsult.coding_record import CodingRecord

ADDED = "added"
REMOVED = "removed"


@dataclass(frozen=True)
class ThemeChange:
    """One theme's count of coded responses before and after."""

    theme_id: str
    before: int | None  # None: the theme is not in the earlier dictionary
    after: int | None  # None: the theme is not in the later dictionary

    @property
    def delta(self) -> int:
        return (self.after or 0) - (self.before or 0)


@dataclass(frozen=True)
class ResponseChange:
    """A response that gained or lost a theme, and why."""

    response_id: str
    theme_id: str
    change: str  # ADDED or REMOVED
    reason: str


@dataclass
class Changes:
    """Everything that differs between an earlier run and a later one."""

    before: str
    after: str
    themes: list[ThemeChange]
    responses: list[ResponseChange]
    only_before: list[str] = field(default_factory=list)  # responses missing from the later
    only_after: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # theme id -> label, where known

    def label(self, theme_id: str) -> str:
        """What officers call the theme: its label, or its id where no report gave one."""
        return self.labels.get(theme_id, theme_id)

    @property
    def changed_responses(self) -> int:
        return len({c.response_id for c in self.responses})


def compare(before: CodingRecord, after: CodingRecord) -> Changes:
    """Compare two runs' codes: per theme, and per response present in both."""
    theme_ids = list(dict.fromkeys([*after.theme_ids, *before.theme_ids]))
    themes = [
        ThemeChange(
            t,
            before.count(t) if t in before.theme_ids else None,
            after.count(t) if t in after.theme_ids else None,
        )
        for t in theme_ids
    ]
    shared_ids = [rid for rid in after.codes.index if rid in before.codes.index]
    old = before.codes.reindex(index=shared_ids, columns=theme_ids, fill_value=0)
    new = after.codes.reindex(index=shared_ids, columns=theme_ids, fill_value=0)
    changed = (old != new).to_numpy()
    responses: list[ResponseChange] = []
    for i, j in zip(*changed.nonzero(), strict=True):
        rid, theme = shared_ids[i], theme_ids[j]
        added = bool(new.iat[i, j])
        responses.append(
            ResponseChange(
                rid, theme, ADDED if added else REMOVED, _reason(before, after, rid, theme, added)
            )
        )
    return Changes(
        before=before.source,
        after=after.source,
        themes=themes,
        responses=responses,
        only_before=[rid for rid in before.codes.index if rid not in after.codes.index],
        only_after=[rid for rid in after.codes.index if rid not in before.codes.index],
        labels={**before.labels, **after.labels},
    )


def _reason(before: CodingRecord, after: CodingRecord, rid: str, theme: str, added: bool) -> str:
    """Why a code appeared or went: an officer's override, or the terms that matched (in the
    later run for a code that appeared, in the earlier run for one that went)."""
    now = after.overrides.get(rid, {}).get(theme)
    then = before.overrides.get(rid, {}).get(theme)
    if now is not None:
        return f"{'set' if added else 'removed'} by an officer (override)"
    if then is not None:
        return "an officer's override no longer applied"
    if theme not in (after.theme_ids if added else before.theme_ids):
        return "theme not in the dictionary"
    if added:
        terms = after.terms.get(rid, {}).get(theme, [])
        return f"matched: {', '.join(terms)}" if terms else "matched"
    if theme not in after.theme_ids:
        return "theme removed from the dictionary"
    terms = before.terms.get(rid, {}).get(theme, [])
    return f"no longer counts: {', '.join(terms)}" if terms else "no longer matched"
