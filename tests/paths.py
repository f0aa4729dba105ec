"""Where the tests find the checkout and, when present, the shared measuring kit beside it."""

from __future__ import annotations

import os
import pathlib

REPO = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
RULES = REPO / "rules"
# absent in a user's clone: tests that need it skip (IACLINT_SHARED_DIR=/nowhere to try that)
SHARED = pathlib.Path(os.environ.get("IACLINT_SHARED_DIR") or REPO.parent / "shared")
