#!/usr/bin/env python3
"""Build the sample consultation exports from the hand-written source responses.

Usage (from the project root, no arguments)::

    python sample_responses/build_samples.py

Reads every ``sample_responses/source/responses_part*.yaml`` (in sorted order;
whichever parts exist are used) and writes, next to this script:

* ``leicester_send_strategy_2019.csv``          Citizen Space CSV export
* ``leicester_send_strategy_2019.xlsx``         Citizen Space Excel export
* ``leicester_send_strategy_2019_analyst.csv``  Citizen Space export "including
  analyst fields" (first 40 responses)
* ``surveymonkey_send_survey.csv``              SurveyMonkey export (two header rows,
  cp1252)
* ``msforms_send_feedback.xlsx``                Microsoft Forms export
* ``google_forms_send_feedback.csv``            Google Forms export (no ID column)
* ``qualtrics_send_survey.csv``                 Qualtrics export (three header rows)
* ``hand_coded_dev.csv`` / ``hand_coded_holdout.csv``  hand-coded theme labels

Source schema (a YAML list of mappings)::

    - n: 1                          # running number, unique across all parts
      groups: [<option label>, ...] # "Other (please specify): <text>" for Other; [] = blank
      likert: [<p1>, <p2>, <p3>]    # one of LIKERT_VALUES, "" = blank
      consent: <one of CONSENT_VALUES>
      q1: <free text>               # "" = blank
      q2: <free text>
      q3: <free text>
      themes: [<theme id>, ...]     # hand-coding of the whole response

The build is deterministic: every random choice comes from a ``random.Random``
seeded from a fixed seed plus the response number and the purpose of the value,
timestamps are derived from the response number, and xlsx files are written with
fixed document properties and fixed zip entry dates. Re-running produces
byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import sys
import unicodedata
import zipfile
from pathlib import Path

import yaml
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
SOURCE_DIR = HERE / "source"
SEED = 20190520

# --------------------------------------------------------------------------
# The questionnaire
# --------------------------------------------------------------------------

Q_GROUP = "In what capacity are you responding? (tick all that apply)"
GROUP_OPTIONS = [
    "Parent or carer of a child or young person with SEND",
    "Young person with SEND (aged 11-25)",
    "Education professional (school, college or early years setting)",
    "Health professional (e.g. therapist, nurse, paediatrician)",
    "Social care professional",
    "Voluntary, community or charity organisation",
    "Other (please specify)",
]
OTHER = "Other (please specify)"

LIKERT_QUESTIONS = [
    "To what extent do you agree or disagree with Priority 1: Improving the range of "
    "local specialist provision and placements?",
    "To what extent do you agree or disagree with Priority 2: Improving preparation "
    "for adulthood and post-16 pathways?",
    "To what extent do you agree or disagree with Priority 3: Working together across "
    "education, health and care?",
]
LIKERT_VALUES = [
    "Strongly agree", "Agree", "Neither agree nor disagree", "Disagree",
    "Strongly disagree", "Don't know", "",
]

TEXT_QUESTIONS = [
    "Please tell us why you agree or disagree with the priorities in the draft strategy.",
    "What one thing would make the biggest difference to children and young people "
    "with SEND and their families?",
    "Do you have any other comments on the draft SEND strategy?",
]

Q_CONSENT = "May we publish your response?"
CONSENT_VALUES = [
    "Publish response in full", "Publish response anonymously", "Do not publish response",
]

THEMES = [
    "placements", "post_16", "personal_budgets", "joint_commissioning",
    "domiciliary_support", "short_breaks", "information_advice", "ehcp_process",
    "transport", "mainstream_inclusion",
]

QUESTION_COLUMNS = [Q_GROUP, *LIKERT_QUESTIONS, *TEXT_QUESTIONS, Q_CONSENT]
CITIZEN_SPACE_COLUMNS = ["Response ID", "Started on", "Completed on", *QUESTION_COLUMNS]

# Consultation window (opened 20 May, closed at midnight on 2 August 2019).
WINDOW_START = dt.datetime(2019, 5, 20, 9, 0, 0)
WINDOW_END = dt.datetime(2019, 8, 2, 23, 59, 59)
# Responses are spread over the window in order of n; the span assumes about
# 340 responses in total so that adding a part does not move earlier ones.
EXPECTED_TOTAL = 340
# Relative likelihood of a response being started in each hour of the day.
HOUR_WEIGHTS = [1, 1, 0, 0, 0, 1, 2, 4, 6, 8, 8, 7, 8, 9, 8, 7, 6, 6, 8, 11, 13, 14, 11, 5]

# Fixed metadata for the xlsx files (document properties and zip entry dates).
XLSX_FIXED_DATETIME = dt.datetime(2019, 8, 5, 9, 0, 0)

# Which responses go into the smaller exports: a preferred range (used when
# every response in it exists) and a fallback range within part 1.
SUBSETS = {
    "surveymonkey": ((200, 239), (41, 80)),
    "msforms": ((240, 269), (91, 120)),
    "google": ((280, 309), (121, 150)),
    "qualtrics": ((310, 334), (146, 170)),
}
ANALYST_COUNT = 40
DEV_RANGE = (1, 150)
HOLDOUT_RANGE = (171, 270)


# --------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------

def load_responses() -> list[dict]:
    parts = sorted(SOURCE_DIR.glob("responses_part*.yaml"))
    if not parts:
        sys.exit(f"no source files found in {SOURCE_DIR}")
    records: list[dict] = []
    for part in parts:
        data = yaml.safe_load(part.read_text(encoding="utf-8")) or []
        for rec in data:
            validate(rec, part.name)
            records.append(rec)
    records.sort(key=lambda r: r["n"])
    seen = [r["n"] for r in records]
    if len(seen) != len(set(seen)):
        dupes = sorted({n for n in seen if seen.count(n) > 1})
        sys.exit(f"duplicate response numbers: {dupes}")
    return records


def validate(rec: dict, where: str) -> None:
    def fail(msg: str) -> None:
        sys.exit(f"{where}, response n={rec.get('n')!r}: {msg}")

    for key in ("n", "groups", "likert", "consent", "q1", "q2", "q3", "themes"):
        if key not in rec:
            fail(f"missing key {key!r}")
    if not isinstance(rec["n"], int):
        fail("n must be an integer")
    for g in rec["groups"]:
        if g not in GROUP_OPTIONS[:-1] and not g.startswith(OTHER + ": "):
            fail(f"unknown group {g!r}")
    if len(rec["likert"]) != 3 or any(v not in LIKERT_VALUES for v in rec["likert"]):
        fail(f"bad likert answers {rec['likert']!r}")
    if rec["consent"] not in CONSENT_VALUES:
        fail(f"bad consent {rec['consent']!r}")
    for q in ("q1", "q2", "q3"):
        if not isinstance(rec[q], str):
            fail(f"{q} must be a string")
    for t in rec["themes"]:
        if t not in THEMES:
            fail(f"unknown theme {t!r}")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def rng_for(n: int, purpose: str) -> random.Random:
    """A random generator that depends only on the seed, n and the purpose."""
    return random.Random(f"{SEED}:{purpose}:{n}")


def sorted_groups(groups: list[str]) -> list[str]:
    """Ticked options in questionnaire order (how survey tools export them)."""
    def key(g: str) -> int:
        return len(GROUP_OPTIONS) - 1 if g.startswith(OTHER) else GROUP_OPTIONS.index(g)
    return sorted(groups, key=key)


def other_text(groups: list[str]) -> str:
    for g in groups:
        if g.startswith(OTHER + ": "):
            return g[len(OTHER) + 2:]
    return ""


def response_length(rec: dict) -> int:
    return sum(len(rec[q]) for q in ("q1", "q2", "q3"))


def timestamps(rec: dict) -> tuple[dt.datetime, dt.datetime]:
    """Started/completed times inside the consultation window; the day advances with n."""
    n = rec["n"]
    rng = rng_for(n, "time")
    days = (WINDOW_END.date() - WINDOW_START.date()).days
    frac = min((n - 1 + rng.random()) / EXPECTED_TOTAL, 0.999)
    day = WINDOW_START.date() + dt.timedelta(days=int(frac * (days + 1)))
    # Most people respond in the evening or around the working day, few at night.
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    if day == WINDOW_START.date():
        hour = max(hour, WINDOW_START.hour)
    if day == WINDOW_END.date():
        hour = min(hour, WINDOW_END.hour - 1)  # and finished before midnight
    started = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)))
    # Longer answers take longer to write.
    minutes = 2 + response_length(rec) / 250 + rng.random() * 6
    completed = started + dt.timedelta(seconds=int(minutes * 60 + rng.randint(0, 59)))
    return started, completed


ALNUM_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ123456789"


def citizen_space_id(n: int) -> str:
    rng = rng_for(n, "citizen-space-id")
    pick = lambda k: "".join(rng.choice(ALNUM_UPPER) for _ in range(k))  # noqa: E731
    return f"ANON-{pick(4)}-{pick(4)}-{pick(1)}"


def qualtrics_id(n: int) -> str:
    rng = rng_for(n, "qualtrics-id")
    chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "R_" + "".join(rng.choice(chars) for _ in range(15))


def subset(records: list[dict], name: str) -> list[dict]:
    by_n = {r["n"]: r for r in records}
    for lo, hi in SUBSETS[name]:
        if all(n in by_n for n in range(lo, hi + 1)):
            return [by_n[n] for n in range(lo, hi + 1)]
    lo, hi = SUBSETS[name][-1]
    return [by_n[n] for n in range(lo, hi + 1) if n in by_n]


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8", bom: bool = False,
              quoting: int = csv.QUOTE_MINIMAL, lineterminator: str = "\r\n") -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, quoting=quoting, lineterminator=lineterminator)
    writer.writerows(rows)
    data = buf.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)


def save_workbook_deterministic(wb: Workbook, path: Path, creator: str) -> None:
    """Save an openpyxl workbook with fixed properties and zip entry dates."""
    wb.properties.creator = creator
    wb.properties.created = XLSX_FIXED_DATETIME
    wb.properties.lastModifiedBy = None
    raw = io.BytesIO()
    wb.save(raw)  # openpyxl stamps "modified" with the current time; fixed below
    fixed = XLSX_FIXED_DATETIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    lambda m: m.group(1) + fixed.encode() + m.group(2),
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=XLSX_FIXED_DATETIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            zout.writestr(entry, data)
    path.write_bytes(out.getvalue())


def set_text(cell, value: str) -> None:
    """Store a value as a plain string, even when it starts with '='."""
    cell.value = value
    if isinstance(value, str) and value:
        cell.data_type = "s"


# --------------------------------------------------------------------------
# 1-3. Citizen Space
# --------------------------------------------------------------------------

def citizen_space_row(rec: dict) -> list[str]:
    started, completed = timestamps(rec)
    return [
        citizen_space_id(rec["n"]),
        started.strftime("%Y-%m-%d %H:%M:%S"),
        completed.strftime("%Y-%m-%d %H:%M:%S"),
        ", ".join(sorted_groups(rec["groups"])),
        *rec["likert"],
        rec["q1"], rec["q2"], rec["q3"],
        rec["consent"],
    ]


def build_citizen_space_csv(records: list[dict]) -> int:
    rows = [CITIZEN_SPACE_COLUMNS] + [citizen_space_row(r) for r in records]
    write_csv(HERE / "leicester_send_strategy_2019.csv", rows,
              bom=True, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    return len(rows) - 1


def build_citizen_space_xlsx(records: list[dict]) -> int:
    wb = Workbook()
    ws = wb.active
    ws.title = "Responses"
    ws.append(CITIZEN_SPACE_COLUMNS)
    for rec in records:
        row = citizen_space_row(rec)
        started, completed = timestamps(rec)
        values: list = [row[0], started, completed, *row[3:]]
        ws.append([None] * len(values))
        r = ws.max_row
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, dt.datetime):
                cell.value = value
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
                continue
            if value == "":
                continue  # blank answers are empty cells in the Excel export
            # Some Excel exports carry the carriage return of a CRLF line
            # break as the escaped text "_x000D_"; reproduce it in a few cells.
            if "\n" in value and rng_for(rec["n"], f"x000d-{c}").random() < 0.35:
                value = value.replace("\n", "_x000D_\n")
            set_text(cell, value)
    ws.freeze_panes = "A2"
    save_workbook_deterministic(wb, HERE / "leicester_send_strategy_2019.xlsx", "Citizen Space")
    return len(records)


# Officer tags used in the analyst export (officers tag in their own words).
ANALYST_TAGS = {
    "placements": "specialist places",
    "post_16": "post-16",
    "personal_budgets": "PBs / DPs",
    "joint_commissioning": "health & care",
    "domiciliary_support": "home support",
    "short_breaks": "short breaks",
    "information_advice": "comms",
    "ehcp_process": "EHCP",
    "transport": "transport",
    "mainstream_inclusion": "mainstream",
}

ANALYST_NOTES = {
    3: "SENCO and parent. Pass annual review delay to SEN team manager.",
    4: "Short breaks cut 2017 – check with DCT whether case is open.",
    8: "Contains phone number. Child out of school since Jan – URGENT referral to SEN casework manager. Do not publish.",
    12: "Parent carer forum summary – quote in consultation report.",
    14: "Transport complaint, forward to passenger transport.",
    21: "Good quote on home support / residential costs.",
    23: "Contains e-mail address – redact. Complaint re caseworker not replying, log with customer services.",
    24: "Follow up with SENDIASS",
    26: "Child's name in text – redact before publishing.",
    30: "Tribunal mentioned.",
    33: "Refusals to assess – check figures with SEN team.",
    35: "OT funding dispute – raise at joint commissioning group.",
    39: "Follow up with SENDIASS re community languages.",
}


def build_analyst_csv(records: list[dict]) -> int:
    first = records[:ANALYST_COUNT]
    columns = CITIZEN_SPACE_COLUMNS + ["Analyst: Tags", "Analyst: Notes", "Analyst: Status"]
    rows: list[list[str]] = [columns]
    for rec in first:
        rng = rng_for(rec["n"], "analyst")
        reviewed = rec["n"] <= 34 or rng.random() < 0.3
        tags = []
        if reviewed:
            # Officers tag most but not all of what a response raises.
            tags = [ANALYST_TAGS[t] for t in rec["themes"] if rng.random() < 0.85]
            if rec["consent"] == "Do not publish response":
                tags.append("do not publish")
        note = ANALYST_NOTES.get(rec["n"], "") if reviewed else ""
        status = "Reviewed" if reviewed else "Not reviewed"
        if reviewed and rec["n"] in (8, 23):
            status = "Flagged"
        rows.append(citizen_space_row(rec) + ["; ".join(tags), note, status])
    write_csv(HERE / "leicester_send_strategy_2019_analyst.csv", rows,
              bom=True, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    return len(first)


# --------------------------------------------------------------------------
# 4. SurveyMonkey
# --------------------------------------------------------------------------

def to_cp1252(text: str) -> str:
    """Keep what cp1252 can encode; replace the rest with plain equivalents."""
    out = []
    for ch in text:
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFKD", ch)
        kept = "".join(c for c in decomposed if not unicodedata.combining(c))
        try:
            kept.encode("cp1252")
            out.append(kept)
        except UnicodeEncodeError:
            out.append("")  # emoji, non-Latin script: dropped
    cleaned = "".join(out)
    cleaned = re.sub(r"[ \t]+\n", "\n", cleaned)
    cleaned = re.sub(r" {2,}", " ", cleaned)
    return cleaned.strip(" ")


def build_surveymonkey(records: list[dict]) -> int:
    chosen = subset(records, "surveymonkey")
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
            "Email Address", "First Name", "Last Name", "Custom Data 1"]
    header1 = meta + [Q_GROUP] + [""] * (len(GROUP_OPTIONS) - 1)
    header2 = [""] * len(meta) + list(GROUP_OPTIONS)
    header1 += LIKERT_QUESTIONS + TEXT_QUESTIONS + [Q_CONSENT]
    header2 += ["Response"] * 3 + ["Open-Ended Response"] * 3 + ["Response"]
    rows = [header1, header2]
    respondent = 10853921774
    for rec in chosen:
        rng = rng_for(rec["n"], "surveymonkey")
        respondent += rng.randint(900, 250000)
        started, completed = timestamps(rec)
        collector = "236981457" if rec["n"] % 7 else "237104882"  # web link / e-mail link
        ticked = set(rec["groups"])
        option_cells = []
        for opt in GROUP_OPTIONS:
            if opt == OTHER:
                option_cells.append(to_cp1252(other_text(rec["groups"])))
            else:
                option_cells.append(opt if opt in ticked else "")
        rows.append([
            str(respondent), collector,
            started.strftime("%m/%d/%Y %I:%M:%S %p"),
            completed.strftime("%m/%d/%Y %I:%M:%S %p"),
            "", "", "", "", "",
            *option_cells,
            *rec["likert"],
            *(to_cp1252(rec[q]) for q in ("q1", "q2", "q3")),
            rec["consent"],
        ])
    write_csv(HERE / "surveymonkey_send_survey.csv", rows, encoding="cp1252",
              quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return len(chosen)


# --------------------------------------------------------------------------
# 5. Microsoft Forms
# --------------------------------------------------------------------------

def build_msforms(records: list[dict]) -> int:
    chosen = subset(records, "msforms")
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["ID", "Start time", "Completion time", "Email", "Name", *QUESTION_COLUMNS])
    for i, rec in enumerate(chosen, start=1):
        started, completed = timestamps(rec)
        # Forms lists ticked choices separated by ";" with a trailing ";"; an
        # "Other" answer appears as the typed text itself.
        choices = [other_text([g]) if g.startswith(OTHER) else g
                   for g in sorted_groups(rec["groups"])]
        group_cell = "".join(c + ";" for c in choices)
        values = [i, started, completed, "anonymous", None, group_cell,
                  *rec["likert"], rec["q1"], rec["q2"], rec["q3"], rec["consent"]]
        ws.append([None] * len(values))
        r = ws.max_row
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, dt.datetime):
                cell.value = value
                cell.number_format = "m/d/yy h:mm:ss"
            elif isinstance(value, int):
                cell.value = value
            elif value:
                set_text(cell, value)
    save_workbook_deterministic(wb, HERE / "msforms_send_feedback.xlsx", "Microsoft Forms")
    return len(chosen)


# --------------------------------------------------------------------------
# 6. Google Forms
# --------------------------------------------------------------------------

def google_timestamp(t: dt.datetime) -> str:
    # British Summer Time throughout the consultation window.
    hour12 = t.hour % 12 or 12
    ampm = "am" if t.hour < 12 else "pm"
    return f"{t:%Y/%m/%d} {hour12}:{t:%M:%S} {ampm} GMT+1"


def build_google_forms(records: list[dict]) -> int:
    chosen = subset(records, "google")
    rows = [["Timestamp", *QUESTION_COLUMNS]]
    for rec in chosen:
        _, completed = timestamps(rec)
        choices = [other_text([g]) if g.startswith(OTHER) else g
                   for g in sorted_groups(rec["groups"])]
        rows.append([google_timestamp(completed), ", ".join(choices), *rec["likert"],
                     rec["q1"], rec["q2"], rec["q3"], rec["consent"]])
    write_csv(HERE / "google_forms_send_feedback.csv", rows, bom=False,
              quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return len(chosen)


# --------------------------------------------------------------------------
# 7. Qualtrics
# --------------------------------------------------------------------------

QUALTRICS_META = [
    ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": "Europe/London"}),
    ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": "Europe/London"}),
    ("Status", "Response Type", {"ImportId": "status"}),
    ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
    ("Progress", "Progress", {"ImportId": "progress"}),
    ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
    ("Finished", "Finished", {"ImportId": "finished"}),
    ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "Europe/London"}),
    ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
    ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
    ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
    ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
    ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
    ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
    ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
    ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
    ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
]
QUALTRICS_MATRIX_STEM = "To what extent do you agree or disagree with each of the priorities?"


def build_qualtrics(records: list[dict]) -> int:
    chosen = subset(records, "qualtrics")
    q_ids = ["Q1", "Q2_1", "Q2_2", "Q2_3", "Q3", "Q4", "Q5", "Q6"]
    q_texts = [Q_GROUP] + [
        f"{QUALTRICS_MATRIX_STEM} - {q.split(' with ', 1)[1].rstrip('?')}"
        for q in LIKERT_QUESTIONS
    ] + TEXT_QUESTIONS + [Q_CONSENT]
    q_import = [{"ImportId": "QID1"}, {"ImportId": "QID2_1"}, {"ImportId": "QID2_2"},
                {"ImportId": "QID2_3"}, {"ImportId": "QID3_TEXT"}, {"ImportId": "QID4_TEXT"},
                {"ImportId": "QID5_TEXT"}, {"ImportId": "QID6"}]
    rows = [
        [m[0] for m in QUALTRICS_META] + q_ids,
        [m[1] for m in QUALTRICS_META] + q_texts,
        [json.dumps(m[2], separators=(",", ":")) for m in QUALTRICS_META]
        + [json.dumps(x, separators=(",", ":")) for x in q_import],
    ]
    for rec in chosen:
        started, completed = timestamps(rec)
        rng = rng_for(rec["n"], "qualtrics")
        recorded = completed + dt.timedelta(seconds=rng.randint(0, 2))
        # Qualtrics joins ticked choices with a bare ","; "Other" exports as
        # the choice label (the typed text goes to a separate column not kept here).
        choices = [OTHER if g.startswith(OTHER) else g for g in sorted_groups(rec["groups"])]
        fmt = "%Y-%m-%d %H:%M:%S"
        rows.append([
            started.strftime(fmt), completed.strftime(fmt), "IP Address", "", "100",
            str(int((completed - started).total_seconds())), "True", recorded.strftime(fmt),
            qualtrics_id(rec["n"]), "", "", "", "", "", "", "anonymous", "EN-GB",
            ",".join(choices), *rec["likert"], rec["q1"], rec["q2"], rec["q3"], rec["consent"],
        ])
    write_csv(HERE / "qualtrics_send_survey.csv", rows, bom=True,
              quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    return len(chosen)


# --------------------------------------------------------------------------
# 8. Hand-coded gold labels
# --------------------------------------------------------------------------

def build_gold(records: list[dict], name: str, lo: int, hi: int) -> int:
    rows = [["response_id", *THEMES]]
    chosen = [r for r in records if lo <= r["n"] <= hi]
    for rec in chosen:
        rows.append([citizen_space_id(rec["n"])] + [int(t in rec["themes"]) for t in THEMES])
    write_csv(HERE / name, rows, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return len(chosen)


def main() -> None:
    records = load_responses()
    ids = [citizen_space_id(r["n"]) for r in records]
    if len(ids) != len(set(ids)):
        sys.exit("Response ID collision: change SEED")
    counts = {
        "leicester_send_strategy_2019.csv": build_citizen_space_csv(records),
        "leicester_send_strategy_2019.xlsx": build_citizen_space_xlsx(records),
        "leicester_send_strategy_2019_analyst.csv": build_analyst_csv(records),
        "surveymonkey_send_survey.csv": build_surveymonkey(records),
        "msforms_send_feedback.xlsx": build_msforms(records),
        "google_forms_send_feedback.csv": build_google_forms(records),
        "qualtrics_send_survey.csv": build_qualtrics(records),
        "hand_coded_dev.csv": build_gold(records, "hand_coded_dev.csv", *DEV_RANGE),
        "hand_coded_holdout.csv": build_gold(records, "hand_coded_holdout.csv", *HOLDOUT_RANGE),
    }
    for name, n in counts.items():
        print(f"{name}: {n} responses")


if __name__ == "__main__":
    main()
