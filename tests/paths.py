"""Where the tests find the checkout and, when present, the shared measuring kit beside it."""

from __future__ import annotations

import pathlib

REPO = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
RULES = REPO / "rules"
SHARED = REPO.parent / "shared"  # absent in a user's clone: tests that need it skip
