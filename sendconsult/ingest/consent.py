"""Reading a respondent's publication decision from whatever words the survey offered.

Citizen Space offers "Publish response with name / Publish response only (without name) / Do
not publish response"; the EU's "Have your say" writes `anonymous` or `withinfo` (public, with
the name); other surveys ask "May we publish your response?" with yes/no answers or their own
wording ("public", "with name"). Refusals are checked first: "do not publish" contains "publish".
"""

from __future__ import annotations

import re

from sendconsult.survey import Consent

_WITHHOLD = re.compile(
    r"\b(do not|don't|dont|not to be|never)\b.*\b(publish|share|quote|use)|"
    r"\bnot (be )?(published|publish|shared|quoted)\b|\bwithhold|\bconfidential|\bprivate\b|"
    r"^no\b",
    re.IGNORECASE,
)
_ANONYMOUS = re.compile(
    r"anonym|without (my |your |the )?(name|details)|no name|not (with )?my name|"
    r"but not my name|name withheld|withhold(ing)? my name|exclude my name",
    re.IGNORECASE,
)
_PUBLISH = re.compile(
    r"\bpublish|\bin full\b|with (my |your |the )?(name|info|details)|^with_?info$|"
    r"^(public|publicly|named|yes|y|ok|okay|agree|i agree|happy)\b",
    re.IGNORECASE,
)


def consent_of(value: str | None) -> Consent:
    """A publication answer as a Consent decision; UNKNOWN when blank or unclear."""
    text = " ".join((value or "").split())
    if not text:
        return Consent.UNKNOWN
    if _ANONYMOUS.search(text) and not re.match(r"^(no|do not|don't)\b", text, re.IGNORECASE):
        return Consent.ANONYMOUS
    if _WITHHOLD.search(text):
        return Consent.WITHHOLD
    if text.lower() in {"n", "false"}:
        return Consent.WITHHOLD
    if _PUBLISH.search(text) or text.lower() in {"true"}:
        return Consent.PUBLISH
    return Consent.UNKNOWN
