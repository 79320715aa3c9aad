"""Keep PyTorch out of runs that do not use it.

Two libraries lexpert loads on every analysis import ``torch`` just because it is installed:
thinc (spaCy's machine-learning layer) at import, to offer its PyTorch wrappers, and skops,
whose list of trusted scikit-learn types walks every scikit-learn module, including the
array-API shim for torch. With the ``transformer`` or ``test`` extras installed that is
1.5-3 s and ~100 MB on every ``lexpert`` call, although no lexpert path runs a model through
either. While those two modules execute, ``import torch`` fails as if torch were not
installed (both handle that); at any other time it works, so lexpert's own transformer code
(:mod:`lexpert.detect.model.transformer`) imports torch when a transformer model is used.
``LEXPERT_ALLOW_TORCH_IMPORT=1`` turns the guard off.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys

from .settings import allow_torch_import

GUARDED = ("thinc.compat", "skops.io._trusted_types")
_blocking = 0


class _Loader(importlib.abc.Loader):
    def __init__(self, inner):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        global _blocking
        _blocking += 1
        try:
            self.inner.exec_module(module)
        finally:
            _blocking -= 1


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "torch" and _blocking and "torch" not in sys.modules:
            raise ModuleNotFoundError("No module named 'torch' (not needed here; lexpert._torchguard)", name="torch")
        if name not in GUARDED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    if allow_torch_import():
        return
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
