"""Theme dictionaries: load, validate, import from other tools."""

from sendconsult.themes.model import Term, TermKind, Theme, ThemeDictionary

__all__ = ["Term", "TermKind", "Theme", "ThemeDictionary"]
