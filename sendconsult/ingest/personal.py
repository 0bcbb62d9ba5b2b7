"""Respondents' own personal details inside their free text.

A personal column (name, organisation, e-mail...) is never analysed or shown, but respondents
often repeat those details in their answers ("Acme Housing Trust welcomes ..."). Each answer is
searched for the values of its own respondent's personal columns, and each one found is
replaced by a tag, so that a name or organisation reaches no sheet whatever the consent, and an
organisation's name cannot code a theme.
"""

from __future__ import annotations

import re

from sendconsult.ingest.roles import header_words

# Values that say nothing about who someone is, even in a personal column.
_NOT_IDENTIFYING = frozenset(
    {"none", "n/a", "na", "other", "individual", "private individual", "myself", "self",
     "not applicable", "parent", "resident", "citizen", "member of the public", "anonymous",
     "yes", "no", "prefer not to say"}
)  # fmt: skip
MIN_LENGTH = 4
_NAME_HEADER = re.compile(r"name|surname", re.IGNORECASE)
_ORGANISATION_HEADER = re.compile(r"organi[sz]ation|company|business|employer|charity|school")


def tag_for(header: str) -> str:
    """The tag that replaces a personal value in text: [ORGANISATION], [NAME] or [PERSONAL]."""
    words = header_words(header).lower()
    if _ORGANISATION_HEADER.search(words):
        return "[ORGANISATION]"
    if _NAME_HEADER.search(words):
        return "[NAME]"
    return "[PERSONAL]"


def mask_own_details(
    columns: dict[str, list[str]], text_headers: list[str], personal_headers: list[str]
) -> int:
    """Replace, in each respondent's answers, the values of their own personal columns (longest
    first, whole words, any case); returns how many answers changed. `columns` gets new lists
    for the text columns that changed."""
    if not text_headers or not personal_headers:
        return 0
    tags = {h: tag_for(h) for h in personal_headers}
    changed = 0
    for text_header in text_headers:
        cells = columns[text_header]
        new_cells: list[str] | None = None
        for index, text in enumerate(cells):
            if not text:
                continue
            lowered = text.lower()
            found = [
                (value, tags[h])
                for h in personal_headers
                if _identifying(value := columns[h][index].strip())
                and value.lower() in lowered
            ]
            if not found and not _name_part_in(text, index, columns, personal_headers, tags):
                continue
            masked = text
            for value, tag in sorted(found, key=lambda f: -len(f[0])):
                pattern = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE)
                masked = pattern.sub(tag, masked)
            masked = _mask_name_parts(masked, index, columns, personal_headers, tags)
            if masked != text:
                if new_cells is None:
                    new_cells = list(cells)
                new_cells[index] = masked
                changed += 1
        if new_cells is not None:
            columns[text_header] = new_cells
    return changed


def _name_parts(
    index: int, columns: dict[str, list[str]], headers: list[str], tags: dict[str, str]
) -> set[str]:
    """The capitalised words of a respondent's name columns ("Marjorie", "Fenwickton")."""
    return {
        part
        for h in headers
        if tags[h] == "[NAME]"
        for part in columns[h][index].split()
        if len(part) >= 3 and part[:1].isupper()
    }


def _name_part_in(
    text: str, index: int, columns: dict[str, list[str]], headers: list[str], tags: dict[str, str]
) -> bool:
    return any(part in text for part in _name_parts(index, columns, headers, tags))


def _mask_name_parts(
    text: str, index: int, columns: dict[str, list[str]], headers: list[str], tags: dict[str, str]
) -> str:
    """A given name or surname of the respondent alone ("Marjorie has cared ..."), as written
    (capitalised, whole word): the full name was replaced already."""
    for part in sorted(_name_parts(index, columns, headers, tags), key=len, reverse=True):
        if part in text:
            text = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", "[NAME]", text)
    return text


def _identifying(value: str) -> bool:
    return len(value) >= MIN_LENGTH and " ".join(value.lower().split()) not in _NOT_IDENTIFYING
