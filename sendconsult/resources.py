"""Files shipped with sendconsult: the default theme dictionary and other models."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_DICTIONARY = "send_strategy_themes.yaml"


def model_path(name: str) -> Path:
    """A file in the project's models/ folder, wherever sendconsult is installed."""
    checkout = Path(__file__).resolve().parent.parent / "models" / name
    if checkout.exists():
        return checkout
    return Path(str(resources.files("sendconsult.models").joinpath(name)))


def default_dictionary() -> Path:
    """The shipped SEND strategy dictionary, used when --themes is not given."""
    return model_path(DEFAULT_DICTIONARY)
