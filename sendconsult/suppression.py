"""Small-number suppression, as UK public-sector statistics practice asks.

Counts from 1 up to (threshold - 1) are hidden and shown as "<threshold" (and so are their
percentages); zeros are shown. Secondary suppression: where a published total lets a reader work
out a hidden count exactly, another cell of that line is hidden too (the smallest non-zero one
shown; a zero when only zeros are left), until no hidden count can be worked out. Such a second
cell may hold any number, zero included, so it is shown as "[c]" (confidential, as in GSS
guidance), not as "<threshold".

What a reader can work out depends on how a line adds up, which the caller says:

- `columns_add_up` / `rows_add_up`: the line's cells add up exactly to a published total (a
  closed question's answers add up to the column's n). One hidden cell in such a line can be
  recovered by subtraction, and so can two that must both be 1 (or both threshold - 1).
- `row_total` names a column that counts each respondent of the row once, beside group columns.
  With `rows_add_up` the groups partition it (each respondent is in exactly one group, so the
  groups add up to the total). Without it the groups overlap (a respondent ticked two groups and
  counts in both), so the groups add up to *at least* the total: subtraction gives only a lower
  bound for the hidden cells, which reveals one only when it reaches threshold - 1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

SECONDARY_LABEL = "[c]"


def suppressed_label(threshold: int) -> str:
    return f"<{threshold}"


def suppress(
    counts: pd.DataFrame,
    threshold: int = 5,
    *,
    rows_add_up: bool = False,
    columns_add_up: bool = False,
    row_total: str | None = None,
) -> pd.DataFrame:
    """A boolean mask of cells not to show. threshold 0 (or 1) turns suppression off.

    `rows_add_up`: each row's cells add up to a published row total (with `row_total`, the
    other cells add up to that column's cell); `columns_add_up` likewise for columns.
    `row_total` alone: the other cells add up to at least that column's cell (groups overlap).
    """
    mask = pd.DataFrame(False, index=counts.index, columns=counts.columns)
    if threshold <= 1:
        return mask
    values = counts.astype(int)
    primary = (values > 0) & (values < threshold)
    mask = primary.copy()
    changed = True
    while changed:
        changed = False
        if rows_add_up or row_total is not None:
            for row in values.index:
                changed |= _protect_row(
                    values, mask, primary, row, threshold, row_total, rows_add_up
                )
        if columns_add_up:
            for column in values.columns:
                target = _exposed_line(values[column], mask[column], primary[column], threshold)
                if target is not None:
                    mask.at[target, column] = True
                    changed = True
    return mask


def suppress_by_group(
    counts: pd.DataFrame,
    threshold: int,
    *,
    total: str,
    sizes: Mapping[str, int],
    columns_add_up: bool = False,
) -> pd.DataFrame:
    """Suppression for a table of groups beside a `total` column ("All").

    Whether the groups partition the total is read from their sizes: when the group sizes add
    up to the total's size, each respondent is in exactly one group, every row's groups add up
    to its total, and a single hidden group cell could be recovered by subtraction.
    """
    groups = [c for c in counts.columns if c != total]
    exclusive = groups_partition(sizes, total, groups)
    return suppress(
        counts,
        threshold,
        rows_add_up=exclusive,
        columns_add_up=columns_add_up,
        row_total=total,
    )


def protect_listings(
    counts: pd.DataFrame,
    mask: pd.DataFrame,
    threshold: int,
    *,
    total: str,
    unlisted: Callable[[object, set[str]], int],
) -> pd.DataFrame:
    """Hide more cells where listed answers would bound a hidden count; returns the new mask.

    Theme sheets list each answer with the groups whose count for the theme is published, and
    no group for a respondent whose groups are all hidden. Counting those answers tells a
    reader that the row's hidden cells add up to at least `unlisted(row, hidden_columns)` (each
    such respondent counts in one of them at least). Where that bound forces a small hidden
    cell to threshold - 1, the smallest shown cell of the row is hidden too, until none does.
    """
    if threshold <= 1:
        return mask
    mask = mask.copy()
    values = counts.astype(int)
    primary = (values > 0) & (values < threshold)
    groups = [c for c in values.columns if c != total]
    changed = True
    while changed:
        changed = False
        for row in values.index:
            if bool(mask.at[row, total]):
                continue  # a hidden total: every non-zero cell of the row is hidden already
            hidden = mask.loc[row, groups]
            hidden_columns = {g for g in groups if bool(hidden[g])}
            if not hidden_columns:
                continue
            target = _bounded(
                values.loc[row, groups],
                hidden,
                primary.loc[row, groups],
                threshold,
                unlisted(row, hidden_columns),
                int(values.at[row, total]),
            )
            if target is not None:
                mask.at[row, target] = True
                changed = True
    return mask


def groups_partition(sizes: Mapping[str, int], total: str, groups: list[str]) -> bool:
    """Whether each respondent is in exactly one group: the group sizes add up to the total's.

    Every respondent is in at least one group ("Not stated" when they gave none), so the sizes
    add up to more than the total exactly when someone is in two groups.
    """
    return sum(int(sizes[g]) for g in groups) == int(sizes[total])


def secondary(counts: pd.DataFrame, mask: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The hidden cells that are not small numbers themselves: shown as SECONDARY_LABEL."""
    values = counts.astype(int)
    return mask & ~((values > 0) & (values < threshold))


def _protect_row(
    values: pd.DataFrame,
    mask: pd.DataFrame,
    primary: pd.DataFrame,
    row: object,
    threshold: int,
    total: str | None,
    exact: bool,
) -> bool:
    """Hide one more cell of `row` if its total reveals a hidden cell; True if it did."""
    if total is None:
        target = _exposed_line(values.loc[row], mask.loc[row], primary.loc[row], threshold)
    elif bool(mask.at[row, total]):
        # A hidden total is itself small, so every non-zero group cell of the row is small and
        # hidden too: no subtraction is possible.
        return False
    else:
        groups = [c for c in values.columns if c != total]
        parts, hidden = values.loc[row, groups], mask.loc[row, groups]
        row_total = int(values.at[row, total])
        known = row_total - int(parts[~hidden].sum())
        if exact:
            target = _exposed(parts, hidden, primary.loc[row, groups], threshold, known)
        else:
            # Overlapping groups: the hidden cells add up to at least `known`, because a
            # respondent in two groups counts in both while the total counts them once. So
            # subtraction cannot recover a hidden cell, only bound it from below; it is
            # revealed only if that bound forces it up to threshold - 1.
            target = _bounded(parts, hidden, primary.loc[row, groups], threshold, known, row_total)
    if target is None:
        return False
    mask.at[row, target] = True
    return True


def _exposed_line(
    line: pd.Series, hidden: pd.Series, primary: pd.Series, threshold: int
) -> object | None:
    """For a line adding up to a published total: the cell to hide next, or None if safe."""
    return _exposed(line, hidden, primary, threshold, int(line[hidden].sum()))


def _exposed(
    line: pd.Series, hidden: pd.Series, primary: pd.Series, threshold: int, hidden_sum: int
) -> object | None:
    """The cell to hide next when the hidden cells of `line` add up to a known `hidden_sum`."""
    n_hidden = int(hidden.sum())
    if n_hidden == 0:
        return None
    if n_hidden == 1 or _pinned(line, hidden, primary, threshold, hidden_sum):
        return _smallest_shown(line, hidden)
    return None


def _pinned(
    line: pd.Series, hidden: pd.Series, primary: pd.Series, threshold: int, hidden_sum: int
) -> bool:
    """Whether the known sum forces some small hidden cell to one value.

    A reader knows a "<t" cell is 1..t-1 and a "[c]" cell is 0..hidden_sum (a zero may be
    hidden where nothing else was left to hide). With k hidden cells, a small one lies between
    hidden_sum minus the others' maxima and hidden_sum minus the others' minima.
    """
    cells = [c for c in line.index if hidden[c]]
    tops = {c: (threshold - 1 if primary[c] else hidden_sum) for c in cells}
    bottoms = {c: (1 if primary[c] else 0) for c in cells}
    for cell in cells:
        if not primary[cell]:
            continue
        others = [c for c in cells if c != cell]
        low = max(1, hidden_sum - sum(tops[c] for c in others))
        high = min(threshold - 1, hidden_sum - sum(bottoms[c] for c in others))
        if low >= high:
            return True
    return False


def _bounded(
    parts: pd.Series,
    hidden: pd.Series,
    primary: pd.Series,
    threshold: int,
    at_least: int,
    row_total: int,
) -> object | None:
    """For overlapping groups: the cell to hide next when the hidden cells add up to at least
    `at_least`, or None if no small hidden cell is forced to threshold - 1."""
    cells = [c for c in parts.index if hidden[c]]
    if not cells:
        return None
    # A reader knows a "<t" cell is at most t-1, and a "[c]" cell at most the row's total.
    tops = {c: (threshold - 1 if primary[c] else row_total) for c in cells}
    for cell in cells:
        if not primary[cell]:
            continue
        others = sum(tops[c] for c in cells if c != cell)
        if at_least - others >= threshold - 1:
            return _smallest_shown(parts, hidden)
    return None


def _smallest_shown(line: pd.Series, hidden: pd.Series) -> object | None:
    """The smallest non-zero cell still shown (the least information lost by hiding it)."""
    candidates = line[(~hidden) & (line > 0)]
    if candidates.empty:
        # Only zeros are left to show: a line such as "<5, <5, 0, 0" of n = 8 pins both
        # hidden cells at 4, so a zero is hidden too (a reader cannot tell it from a number).
        candidates = line[~hidden]
        if candidates.empty:
            return None
    return candidates.sort_values(kind="stable").index[0]
