"""Writing term suggestions for an officer as a YAML snippet to paste into a dictionary.

(The same suggestions as a workbook to read: report/suggestions.py.)"""

from __future__ import annotations

from pathlib import Path

import yaml

from sendconsult.suggest import Suggestions
from sendconsult.themes.model import ThemeDictionary
from sendconsult.writing import write_text_atomic


def write_suggestions_yaml(
    path: Path, suggestions: Suggestions, dictionary: ThemeDictionary
) -> None:
    """Per theme id the suggested terms, and the uncoded phrases to place, as comments."""
    themes = [
        {"id": theme_id, "label": dictionary.label(theme_id), "terms": [s.phrase for s in found]}
        for theme_id, found in suggestions.by_theme.items()
        if found
    ]
    text = (
        "# Suggested terms: review each one, then copy the ones that fit into the theme's\n"
        "# terms in your dictionary. Phrases are lemmas, so they match other forms too.\n"
        + yaml.safe_dump({"themes": themes}, sort_keys=False, allow_unicode=True)
        + "\n# Common in responses no theme caught (place them in a theme, or a new one):\n"
        + "".join(f"#   - {s.phrase}\n" for s in suggestions.uncoded)
    )
    write_text_atomic(path, text, private=False)
