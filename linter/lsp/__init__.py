"""``iaclint lsp``: a language server (LSP over stdio) for editors.

Diagnostics as the user types, from the same pipeline as ``iaclint check`` run on the unit the
file belongs to with the editor's unsaved buffers in place of the files on disk; code actions
(the automatic fixes, suppress with a reason); hover with the rule's documentation.

* ``server``     — the pygls features, each guarded; ``serve()``
* ``session``    — what is open, what to scan when (debounce, outdated work dropped), publishing
* ``units``      — the units a file belongs to (a Terraform root module, a template) and their
                   files; which module directories call which
* ``scanning``   — one scan of one unit through ``linter.pipeline`` with the buffers overlaid
* ``settings``   — the workspace folder's configuration, reloaded when its file changes
* ``convert``    — findings as diagnostics (ranges in the client's encoding, redaction)
* ``actions`` / ``suppression`` — code actions, and where a suppression comment may go
* ``hover``      — a finding's message, evidence and rule documentation

pygls and lsprotocol are the ``lsp`` extra (``pip install 'iaclint[lsp]'``): nothing imports
this package but ``linter.cli``'s ``lsp`` command, which checks ``missing()`` first.
"""

from __future__ import annotations

import importlib.util

REQUIRES = ("pygls", "lsprotocol")
INSTALL = "pip install 'iaclint[lsp]'"


def missing() -> list[str]:
    """The language server's libraries that are not installed."""
    return [name for name in REQUIRES if importlib.util.find_spec(name) is None]
