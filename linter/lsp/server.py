"""The language server: pygls features wired to the session (``iaclint lsp`` runs ``serve``).

Every handler is guarded: an exception is logged to the client (``window/logMessage``) and the
request answers with nothing, so no bug of ours ends the editor's session.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import pathlib
import sys
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, BinaryIO, TypeVar, cast

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from linter import __version__
from linter.report.redact import secrets_of

from .actions import SELECT_REASON, Context, code_actions, rule_is_suppressible
from .convert import (
    SOURCE,
    Texts,
    code_point_range,
    diagnostic,
    finding_key,
    path_of,
    to_client,
)
from .hover import hover_markdown
from .scanning import with_fixes
from .session import DEFAULT_DEBOUNCE, Session

log = logging.getLogger("iaclint.lsp")
Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])

WATCHED = ("**/*.{tf,tf.json,tfvars,tfvars.json,yaml,yml,json,template,cfn}",
           "**/.iaclint.{yaml,yml}", "**/pyproject.toml")


def guarded(default: Callable[[], Any]) -> Callable[[Handler], Handler]:
    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def run(*args: Any) -> Any:
            try:
                return await handler(*args)
            except Exception:
                message = f"iaclint lsp: {handler.__name__} failed\n{traceback.format_exc()}"
                log.error("%s", message)
                with contextlib.suppress(Exception):  # the client may have gone away
                    args[0].window_log_message(types.LogMessageParams(
                        type=types.MessageType.Error, message=message))
                return default()
        return cast(Handler, run)
    return wrap


def none() -> None:
    return None


def build_server(debounce: float = DEFAULT_DEBOUNCE) -> tuple[LanguageServer, Session]:
    server = LanguageServer("iaclint", __version__,
                            text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    session = Session(server, debounce)

    @server.feature(types.INITIALIZE)
    @guarded(none)
    async def initialize(ls: LanguageServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounce"), (int, float)):
            session.debounce = max(0.0, float(options["debounce"]) / 1000)
        for folder in params.workspace_folders or ():
            path = path_of(folder.uri)
            if path is not None:
                session.add_folder(path)
        root = (path_of(params.root_uri) if params.root_uri
                else pathlib.Path(params.root_path) if params.root_path else None)
        if root is not None and not session.folders:
            session.add_folder(root)

    @server.feature(types.INITIALIZED)
    @guarded(none)
    async def initialized(ls: LanguageServer, params: types.InitializedParams) -> None:
        watch = ls.client_capabilities.workspace
        dynamic = watch.did_change_watched_files if watch is not None else None
        if dynamic is None or not dynamic.dynamic_registration:
            return  # the configuration is still reloaded: its mtime is checked before scans
        registration = types.Registration(
            id="iaclint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=g) for g in WATCHED]))
        try:
            await ls.client_register_capability_async(
                types.RegistrationParams(registrations=[registration]))
        except Exception as exc:  # a client that says it can but cannot: not an error
            log.warning("the client refused to watch files (%s); changes on disk are seen "
                        "when a document is edited", exc)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @guarded(none)
    async def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        session.touched(params.text_document.uri, delay=0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @guarded(none)
    async def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        session.touched(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    @guarded(none)
    async def did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        session.touched(params.text_document.uri, delay=0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guarded(none)
    async def did_close(ls: LanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        session.touched(params.text_document.uri, delay=0.0)  # the disk's text from now on

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded(none)
    async def watched(ls: LanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            located = session.locate(change.uri)
            if located is None:
                continue
            folder, rel = located
            name = rel.rsplit("/", 1)[-1]
            loaded = folder.loaded
            in_rules = loaded is not None and any(
                (folder.root / rel).is_relative_to(pathlib.Path(d).resolve())
                for d in loaded.options.rule_dirs)
            if name in (".iaclint.yaml", ".iaclint.yml", "pyproject.toml") or in_rules:
                if in_rules:
                    folder.settings.forget()
                session.rescan_folder(folder)
            elif change.uri not in ls.workspace.text_documents:
                session.touched(change.uri, delay=0.0)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    @guarded(none)
    async def folders(ls: LanguageServer,
                      params: types.DidChangeWorkspaceFoldersParams) -> None:
        for added in params.event.added:
            path = path_of(added.uri)
            if path is not None:
                session.add_folder(path)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guarded(none)
    async def hover(ls: LanguageServer, params: types.HoverParams) -> types.Hover | None:
        located = session.locate(params.text_document.uri)
        if located is None:
            return None
        folder, rel = located
        scans = session.scans_of(folder, rel)
        if not scans or not session.fresh(folder, rel, scans, session.snapshot()):
            return None
        texts = Texts(folder.root, scans[0].buffers)
        lines = texts.lines(rel)
        codec = ls.workspace.position_codec
        at = (params.position.line, params.position.character)
        here = []
        for finding in session.findings_of(folder, rel, scans):
            rng = to_client(code_point_range(finding.span, lines), lines, codec)
            if (rng.start.line, rng.start.character) <= at <= (rng.end.line, rng.end.character):
                here.append(finding)
        if not here:
            return None
        rules = scans[0].result.rules if scans[0].result is not None else []
        secrets = secrets_of(f for s in scans if s.result for f in s.result.findings)
        return types.Hover(contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value=hover_markdown(here, rules, secrets)))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll],
        resolve_provider=False))
    @guarded(list)
    async def code_action(ls: LanguageServer, params: types.CodeActionParams
                          ) -> list[types.CodeAction]:
        located = session.locate(params.text_document.uri)
        if located is None:
            return []
        folder, rel = located
        snapshot = session.snapshot()
        scans = session.scans_of(folder, rel)
        if not session.fresh(folder, rel, scans, snapshot):
            await session.settle(folder)  # the scan of the current text: now
            snapshot = session.snapshot()
            scans = session.scans_of(folder, rel)
            if not session.fresh(folder, rel, scans, snapshot):
                return []  # typed again meanwhile: the editor asks again
        loop = asyncio.get_running_loop()
        scans = await loop.run_in_executor(session.pool, lambda: [with_fixes(s) for s in scans])
        if not session.fresh(folder, rel, scans, session.snapshot()):
            return []
        result = scans[0].result
        rules = {r.id: r for r in (result.rules if result is not None else [])}
        secrets = secrets_of(f for s in scans if s.result for f in s.result.findings)
        texts = Texts(folder.root, scans[0].buffers)
        codec = ls.workspace.position_codec
        capabilities = ls.client_capabilities
        edit_caps = capabilities.workspace.workspace_edit if capabilities.workspace else None
        window = capabilities.window
        versions = {}
        for path, (version, _) in snapshot.items():
            rel_path = folder.relative(pathlib.Path(path))
            if rel_path is not None:
                versions[rel_path] = version
        ctx = Context(
            root=folder.root, texts=texts, codec=codec, versions=versions,
            document_changes=bool(edit_caps and edit_caps.document_changes),
            show_document=bool(window and window.show_document
                               and window.show_document.support),
            inline_suppressions=scans[0].options.inline_suppressions,
            suppressible=rule_is_suppressible(rules),
            diagnostic=lambda f: diagnostic(f, texts, codec, rules, secrets, finding_key(f)),
        )
        resources = [r for s in scans if s.result for r in s.result.resources]
        only = [str(k) for k in params.context.only] if params.context.only else None
        return code_actions(rel, session.findings_of(folder, rel, scans), resources,
                            params.range, only, ctx)

    @server.command(SELECT_REASON)
    @guarded(none)
    async def select_reason(ls: LanguageServer, uri: str, line: int, character: int) -> None:
        at = types.Position(int(line), int(character))
        await ls.window_show_document_async(types.ShowDocumentParams(
            uri=uri, take_focus=True, selection=types.Range(at, at)))

    @server.feature(types.SHUTDOWN)
    @guarded(none)
    async def shutdown(ls: LanguageServer, params: None) -> None:
        session.shutdown()

    return server, session


def serve(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """Serve over stdio until the client says exit. Nothing else may write to stdout: it is
    the protocol's channel, so ``sys.stdout`` goes to stderr while serving."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format=f"{SOURCE} lsp: %(levelname)s %(message)s")
    channel = stdout or sys.stdout.buffer
    sys.stdout = sys.stderr
    server, _ = build_server()
    server.start_io(stdin or sys.stdin.buffer, channel)
