"""Writing a theme dictionary in the officer's YAML format (after an import, for instance)."""

from __future__ import annotations

import yaml

from sendconsult.themes.model import Theme, ThemeDictionary


def dump_yaml(dictionary: ThemeDictionary) -> str:
    """The dictionary as YAML that `load_dictionary` reads back to the same themes and terms."""
    source = dictionary.source.name if dictionary.source else "another dictionary"
    header = (
        f"# Theme dictionary imported from {source} by sendconsult.\n"
        "# Check it with: sendconsult themes check THIS_FILE EXPORT\n"
    )
    body = {
        "name": dictionary.name,
        "themes": [_theme(t, dictionary) for t in dictionary.top_level],
    }
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


def _theme(theme: Theme, dictionary: ThemeDictionary) -> dict[str, object]:
    data: dict[str, object] = {"id": theme.id, "label": theme.label}
    if theme.description:
        data["description"] = theme.description
    data["terms"] = [t.text for t in theme.terms]
    if theme.weak:
        data["weak"] = [t.text for t in theme.weak]
    if theme.exclude:
        data["exclude"] = [t.text for t in theme.exclude]
    children = [t for t in dictionary.themes if t.parent == theme.id]
    if children:
        data["subthemes"] = [_theme(c, dictionary) for c in children]
    if not theme.terms and children:
        del data["terms"]
    return data
