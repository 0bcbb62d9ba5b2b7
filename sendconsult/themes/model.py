"""The theme dictionary as the classifier sees it, whatever file format it came from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class TermKind(StrEnum):
    """How a term is matched: a phrase on lemmas, a suffix wildcard, or two words near each other."""

    PHRASE = "phrase"
    WILDCARD = "wildcard"
    NEAR = "near"


@dataclass(frozen=True)
class Term:
    """One rule of a theme, kept as the officer wrote it so reports can quote it.

    PHRASE: `words` are the phrase's words ("personal budget" -> ("personal", "budget")).
    WILDCARD: `words` as a phrase whose last word is a prefix without the `*`
    ("commission*" -> ("commission",), "short break*" -> ("short", "break")).
    NEAR: `words` are the two sides (each may itself end in `*`), `distance` the most tokens
    apart ("health NEAR/5 council" -> ("health", "council"), distance 5).
    """

    text: str
    kind: TermKind
    words: tuple[str, ...]
    distance: int = 0
    line: int | None = None


@dataclass
class Theme:
    """A theme (or sub-theme, when `parent` is set) and its terms.

    `terms` code the theme alone; `weak` terms only with a second term of the theme in the same
    answer (see nlp/weak_evidence.py); `exclude` phrases veto a match of the theme close by.
    """

    id: str
    label: str
    description: str = ""
    terms: list[Term] = field(default_factory=list)
    exclude: list[Term] = field(default_factory=list)
    parent: str | None = None
    line: int | None = None
    weak: list[Term] = field(default_factory=list)


@dataclass
class ThemeDictionary:
    """All themes of one dictionary file. Sub-themes are listed flat, after their parent.

    A match on a sub-theme codes its parent theme too; reports show top-level themes.
    """

    themes: list[Theme]
    source: Path | None = None
    sha256: str = ""
    name: str = ""

    @property
    def top_level(self) -> list[Theme]:
        return [t for t in self.themes if t.parent is None]

    @property
    def theme_ids(self) -> list[str]:
        """Ids of the top-level themes, in dictionary order: the columns of the Coding sheet."""
        return [t.id for t in self.top_level]

    def theme(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    def root_of(self, theme_id: str) -> str:
        """The top-level theme a (sub-)theme counts towards."""
        theme = self.theme(theme_id)
        while theme.parent is not None:
            theme = self.theme(theme.parent)
        return theme.id

    def label(self, theme_id: str) -> str:
        return self.theme(theme_id).label


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, so a report can name exactly which dictionary made it."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()
