"""Where the tests find the checkout and, when present, the shared measuring kit beside it."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import sys
from types import ModuleType

REPO = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
RULES = REPO / "rules"
# absent in a user's clone: tests that need it skip (IACLINT_SHARED_DIR=/nowhere to try that)
SHARED = pathlib.Path(os.environ.get("IACLINT_SHARED_DIR") or REPO.parent / "shared")


def load_script(name: str, path: pathlib.Path) -> ModuleType:
    """The Python file ``path`` (a script, not a package module) imported as module ``name``,
    once."""
    known = sys.modules.get(name)
    if known is not None:
        return known
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def bench_scale() -> ModuleType:
    """``bench/scale.py``, imported."""
    return load_script("bench_scale", REPO / "bench" / "scale.py")
