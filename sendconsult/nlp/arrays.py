"""Small numpy helpers shared by the stages that work on large arrays of hashes."""

from __future__ import annotations

import numpy as np


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-d array, sorted: np.unique's answer, found by sorting, which
    is many times faster than np.unique's hash table on integer arrays in this numpy."""
    values = np.sort(values)
    return values[np.concatenate([[True], values[1:] != values[:-1]])] if len(values) else values


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row i repeated counts[i] times: for every copy, its row and which copy of that row
    it is (0 to counts[i] - 1). Joins a row to each of its entries in a grouped table."""
    counts = np.asarray(counts, dtype=np.int64)
    rows = np.repeat(np.arange(len(counts)), counts)
    copy = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, copy
