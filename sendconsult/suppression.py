"""Small-number suppression, as UK public-sector statistics practice asks.

Counts from 1 up to (threshold - 1) are shown as "<threshold" (and so are their percentages);
zeros are shown. Secondary suppression: where a published total lets a reader recover a
suppressed cell by subtraction (a row or column with exactly one suppressed cell and an additive
total), the next-smallest non-zero cell of that line is suppressed too, until no line has a
single suppressed cell. Group columns are not additive when respondents may be in several groups,
so the caller says which axes add up.
"""

from __future__ import annotations

import pandas as pd


def suppressed_label(threshold: int) -> str:
    return f"<{threshold}"


def suppress(
    counts: pd.DataFrame,
    threshold: int = 5,
    *,
    rows_add_up: bool = False,
    columns_add_up: bool = False,
) -> pd.DataFrame:
    """A boolean mask of cells not to show. threshold 0 (or 1) turns suppression off.

    `rows_add_up`: each row's cells sum to a published row total (so one hidden cell in a row
    could be recovered); `columns_add_up` likewise for columns.
    """
    mask = pd.DataFrame(False, index=counts.index, columns=counts.columns)
    if threshold <= 1:
        return mask
    values = counts.astype(int)
    mask = (values > 0) & (values < threshold)
    changed = True
    while changed:
        changed = False
        if rows_add_up:
            changed |= _secondary(values, mask, axis=1)
        if columns_add_up:
            changed |= _secondary(values, mask, axis=0)
    return mask


def _secondary(values: pd.DataFrame, mask: pd.DataFrame, axis: int) -> bool:
    changed = False
    lines = values.index if axis == 1 else values.columns
    for line in lines:
        line_mask = mask.loc[line] if axis == 1 else mask[line]
        line_values = values.loc[line] if axis == 1 else values[line]
        if int(line_mask.sum()) != 1:
            continue
        candidates = line_values[(~line_mask) & (line_values > 0)]
        if candidates.empty:
            continue
        target = candidates.sort_values(kind="stable").index[0]
        if axis == 1:
            mask.at[line, target] = True
        else:
            mask.at[target, line] = True
        changed = True
    return changed
