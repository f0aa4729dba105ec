"""The configuration of one workspace folder, reloaded when its file changes.

The same file the command line reads (``.iaclint.yaml`` / ``.iaclint.yml`` / ``[tool.iaclint]``
in ``pyproject.toml``, found from the folder upward) gives the scan options and the rules. Before
every scan the server compares the file's stat signature (which file, its mtime and size) with
the one it loaded; a change — or a file appearing or disappearing — reloads it, so an edit saved
in the editor applies to the next keystroke (``workspace/didChangeWatchedFiles`` only makes the
server rescan at once). A broken configuration is a ``ConfigError``, kept and raised on every
scan until the file is fixed: the editor shows it, nothing is scanned with settings the user did
not write.
"""

from __future__ import annotations

import os
import pathlib

from linter.config.load import apply_config, find_config, load_config
from linter.engine.params import check_settings
from linter.engine.selection import check_selection
from linter.errors import ConfigError
from linter.options import ScanOptions
from linter.pipeline import load_all_rules
from linter.records import record
from linter.rule import Rule

Stamp = tuple[str, int, int]


@record
class Loaded:
    options: ScanOptions
    rules: list[Rule]
    config_file: pathlib.Path | None


def stamp(path: pathlib.Path | None) -> Stamp | None:
    if path is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return (str(path), -1, -1)
    return (str(path), info.st_mtime_ns, info.st_size)


class FolderSettings:
    """Options and rules of one workspace folder."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        self._stamp: Stamp | None = None
        self._loaded: Loaded | ConfigError | None = None

    def current(self) -> Loaded:
        """The options and rules in force (reloaded if the file changed); ``ConfigError`` when
        the configuration or a rule directory it names is broken."""
        try:
            path = find_config(self.root)
        except OSError as exc:
            raise ConfigError(f"cannot look for the configuration: {exc}") from exc
        now = stamp(path)
        if self._loaded is None or now != self._stamp:
            self._stamp = now
            self._loaded = self._load(path)
        if isinstance(self._loaded, ConfigError):
            raise self._loaded
        return self._loaded

    def forget(self) -> None:
        """Reload on the next scan (a rule file changed)."""
        self._loaded = None

    def _load(self, path: pathlib.Path | None) -> Loaded | ConfigError:
        try:
            loaded = load_config(self.root, str(path) if path is not None else None)
            options = apply_config(loaded, ScanOptions(), set())
            rules = load_all_rules(options)
            check_settings(rules, options)
            check_selection(rules, options)
        except ConfigError as exc:
            if not exc.file and path is not None:
                exc.file = str(path)
            return exc
        return Loaded(options, rules, path)
