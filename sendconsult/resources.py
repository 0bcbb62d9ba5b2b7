"""Files shipped with sendconsult: the default theme dictionary and other models, and a hash
of the package's own files for cache keys."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
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


PACKAGE_DIR = Path(__file__).resolve().parent


def source_digest(names: Iterable[str], package: Path = PACKAGE_DIR) -> str:
    """A hash of files of the package (paths relative to it: modules, word lists), so a cache
    keyed by it is ignored as soon as any of the code or words that made it changes, without a
    version number anyone has to remember to raise."""
    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(names):
        digest.update(f"\x00{name}\x00".encode())
        digest.update((package / name).read_bytes())
    return digest.hexdigest()
