"""Regular expressions compiled when first used.

A module's patterns are constants written at its top, and most runs use few of them: a one-file
scan imports about eighty and matches with about ten (suppression comments, peer scanners'
ignore syntax, secret detectors behind their prefilter, registry sources …). Compiling all of
them at import, in ``re``'s pure-Python compiler, was about a twentieth of such a run.
``lazy(pattern, flags)`` stands for ``re.compile(pattern, flags)``: the first attribute asked of
it compiles the pattern and keeps its methods as its own attributes, so a use after the first
costs what a use of the compiled pattern costs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, AnyStr

# what a compiled pattern offers; each becomes an attribute of the stand-in once compiled
_OFFERED = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer",
            "scanner", "pattern", "flags", "groups", "groupindex")

if TYPE_CHECKING:
    def lazy(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]: ...

else:
    def lazy(pattern, flags=0):
        return _Lazy(pattern, flags)


class _Lazy:
    """``re.compile(pattern, flags)``, compiled on the first attribute asked of it."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self._source: tuple[Any, int] = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only for what is not yet an attribute
        if name.startswith("__"):  # copy, pickle and the like ask for these: not a pattern's
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for offered in _OFFERED:
            setattr(self, offered, getattr(compiled, offered))
        return getattr(self if name in _OFFERED else compiled, name)

    def __repr__(self) -> str:
        pattern, flags = self._source
        return f"lazy({pattern!r}, {flags})" if flags else f"lazy({pattern!r})"
