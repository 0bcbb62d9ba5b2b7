"""The real-quote development set: its files match their source, its sources are named and are
published, anonymised collections of respondents' words, and it keeps no personal names."""

from __future__ import annotations

import csv
import re
import runpy
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from sendconsult.resources import default_dictionary
from sendconsult.themes.loader import load_dictionary

SAMPLES = Path(__file__).resolve().parent.parent / "sample_responses"
SOURCE_FILES = sorted((SAMPLES / "source").glob("real_quotes*.yaml"))
FILE_DATA = {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in SOURCE_FILES}
SOURCE = {
    "sources": {key: s for data in FILE_DATA.values() for key, s in data["sources"].items()},
    "quotes": [quote for data in FILE_DATA.values() for quote in data["quotes"]],
}
ALLOWED_KINDS = {"council", "government", "parliament_org", "pcf_report", "charity_report", "healthwatch"}  # fmt: skip
# Hosts of personal writing (blogs, forums, petitions, social media, the press): their words can be
# searched back to a named person, so no quote may come from them.
PERSONAL_WRITING_HOSTS = [
    "mumsnet", "blogspot", "wordpress", "blog", "change.org", "38degrees", "community.autism.org.uk",
    "petition.parliament.uk", "facebook", "twitter", "x.com", "reddit", "instagram", "tiktok",
    "bbc.", "bbci.", "itv.com", "theguardian", "independent.co.uk", "mirror.co.uk", "thestar.co.uk",
    "telegraph", "dailymail", "inkl.com", "cypnow", "communitycare", "tes.com", "hertsad",
    "bucksfreepress", "bridportnews", "ledburyreporter", "newsshopper", "lincsonline", "heart.co.uk",
    "frometimes", "swindonlink", "newszop", "magzter", "news", "hansard", "parallelparliament",
]  # fmt: skip
FILES = [f"{kind}_{part}.csv" for kind in ("real_quotes", "hand_coded_real") for part in ("tune", "heldout")]  # fmt: skip


def test_shipped_files_are_what_the_build_script_writes(tmp_path: Path):
    build = runpy.run_path(str(SAMPLES / "build_real_quotes.py"))["main"]
    build(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


def test_every_source_file_is_read_and_no_source_key_is_shared_between_files():
    assert len(SOURCE_FILES) >= 2 and SOURCE_FILES[0].name == "real_quotes.yaml"
    keys = [key for data in FILE_DATA.values() for key in data["sources"]]
    assert len(keys) == len(set(keys))
    for name, data in FILE_DATA.items():  # a quote's source is listed in its own file
        assert {q["src"] for q in data["quotes"]} <= set(data["sources"]), name
    with open(SAMPLES / "real_quotes_heldout.csv", encoding="utf-8", newline="") as f:
        ids = [row["Response ID"] for row in csv.DictReader(f)]
    with open(SAMPLES / "real_quotes_tune.csv", encoding="utf-8", newline="") as f:
        ids += [row["Response ID"] for row in csv.DictReader(f)]
    assert sorted(ids) == [f"RQ-{n:03d}" for n in range(1, len(SOURCE["quotes"]) + 1)]


def test_a_file_named_for_a_part_holds_that_parts_sources_only():
    """Files named real_quotes_heldout_* are kept apart from tuning (none of their sources is tuned
    on), and files named real_quotes_tune_* hold tuning sources only."""
    for name, data in FILE_DATA.items():
        for part in ("heldout", "tune"):
            if name.startswith(f"real_quotes_{part}"):
                assert {s["part"] for s in data["sources"].values()} == {part}, name


def test_a_source_key_used_in_two_files_is_refused(tmp_path: Path):
    build = runpy.run_path(str(SAMPLES / "build_real_quotes.py"))
    first = tmp_path / "real_quotes.yaml"
    second = tmp_path / "real_quotes_more.yaml"
    text = yaml.safe_dump({"sources": {"a": {"part": "tune"}}, "quotes": [{"src": "a", "codes": []}]})
    first.write_text(text, encoding="utf-8")
    second.write_text(text, encoding="utf-8")
    try:
        build["load_all"](build["source_files"](tmp_path))
    except SystemExit as error:
        assert "real_quotes_more.yaml" in str(error) and "'a'" in str(error)
    else:
        raise AssertionError("a shared source key was accepted")


def test_every_quote_has_a_named_source_and_codes_of_the_shipped_themes():
    themes = set(load_dictionary(default_dictionary()).theme_ids)
    sources = SOURCE["sources"]
    for key, source in sources.items():
        assert source["title"].strip() and source["url"].startswith("http"), key
        assert source["part"] in {"tune", "heldout"}, key
    for number, quote in enumerate(SOURCE["quotes"], start=1):
        assert quote["src"] in sources, number
        assert set(quote["codes"]) <= themes, number
        assert len(quote["text"].split()) >= 3, number
    assert {q["src"] for q in SOURCE["quotes"]} == set(sources)  # no source without a quote


def test_every_source_is_an_anonymised_collection_published_by_a_public_body_or_organisation():
    """Personal writing (blogs, forums, petitions, the press) is personal data even without names."""
    for key, source in SOURCE["sources"].items():
        assert source["kind"] in ALLOWED_KINDS, key
        host = urlsplit(source["url"]).hostname or ""
        assert not [bad for bad in PERSONAL_WRITING_HOSTS if bad in host], (key, host)
        if source["kind"] == "parliament_org":  # an organisation's evidence, not an individual's
            assert host == "committees.parliament.uk" and "/writtenevidence/" in source["url"], key


def test_no_given_name_is_kept_in_a_quote():
    """Children, parents and staff were named in some sources; every name was taken out."""
    from sendconsult.privacy import name_lists

    names, _ = name_lists()
    everyday = {"Summer", "April", "Don"}  # a season, a month and "Don't" in the quotes, not people
    found = {
        (number, word)
        for number, quote in enumerate(SOURCE["quotes"], start=1)
        for word in re.findall(r"\b[A-Z][a-z]+\b", quote["text"])
        if word.lower() in {n.lower() for n in names} and word not in everyday
    }
    assert not found


def test_gold_rows_follow_the_export_rows():
    for part in ("tune", "heldout"):
        with open(SAMPLES / f"real_quotes_{part}.csv", encoding="utf-8", newline="") as f:
            export_ids = [row["Response ID"] for row in csv.DictReader(f)]
        with open(SAMPLES / f"hand_coded_real_{part}.csv", encoding="utf-8", newline="") as f:
            gold_ids = [row["response_id"] for row in csv.DictReader(f)]
        assert export_ids == gold_ids and len(set(export_ids)) == len(export_ids)
