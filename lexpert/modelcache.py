"""A local load cache for the shipped model files (the default detector and the unit
classifier; a model loaded from any other path always goes through skops).

Model files are skops archives: loading one checks that it asks only for scikit-learn,
NumPy, SciPy and lexpert types, and nothing executes code from the file. The price is
skops itself: importing it walks every scikit-learn module to list the trusted types
(about 1.7 s of every ``lexpert`` start). So the first load of a model file goes through
skops and its type check, and the loaded object is then kept in
``LEXPERT_HOME/cache/models/`` as a pickle named by a hash of the model file's bytes and the
versions of Python, NumPy and scikit-learn; later starts read that instead. A cache file is
read only when it belongs to the current user and nobody else can write it; any doubt or
error falls back to the skops file. ``LEXPERT_MODEL_CACHE=0`` turns the cache off.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")


def _key(data: bytes) -> str:
    import numpy
    import sklearn

    h = hashlib.blake2b(data, digest_size=16)
    h.update(f"|{sys.version_info[:3]}|{numpy.__version__}|{sklearn.__version__}".encode())
    return h.hexdigest()


def _trusted(p: Path) -> bool:
    try:
        st = p.stat()
    except OSError:
        return False
    own = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return own and not (st.st_mode & 0o022)


def cache_dir() -> Path:
    from .config import lexpert_home

    return lexpert_home() / "cache" / "models"


def cached_load(path: str | Path, load: Callable[[bytes], T]) -> T:
    """``load(bytes of path)`` (the skops loader, with its type check), through the cache."""
    data = Path(path).read_bytes()
    if os.environ.get("LEXPERT_MODEL_CACHE", "1") == "0":
        return load(data)
    try:
        target = cache_dir() / f"{Path(path).stem}-{_key(data)}.pickle"
    except OSError:                      # no writable home: load without the cache
        return load(data)
    if _trusted(target):
        try:
            with open(target, "rb") as fh:
                return pickle.load(fh)
        except Exception:                # a stale or damaged cache file: load the model file
            pass
    obj = load(data)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except OSError:
        pass
    return obj
