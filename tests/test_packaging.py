"""The package installs with every sub-package and the shipped dictionary."""

from __future__ import annotations

import tomllib
from pathlib import Path

import sendconsult
from sendconsult.resources import default_dictionary

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    package_root = Path(sendconsult.__file__).parent
    found = {"sendconsult"} | {
        "sendconsult." + ".".join(p.parent.relative_to(package_root).parts)
        for p in package_root.rglob("__init__.py")
        if p.parent != package_root
    }
    assert found | {"sendconsult.models"} == listed


def test_default_dictionary_is_shipped():
    path = default_dictionary()
    assert path.name == "send_strategy_themes.yaml"
    assert path.is_file()
