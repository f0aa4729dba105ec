"""The server's state and its scans: which units to scan when, and what to publish.

* Every edit, open, save or change on disk marks its file *dirty* in its workspace folder and
  (re)arms the folder's debounce timer; when it fires, one job scans the units of every dirty
  file (``linter.lsp.units``) in a worker thread, so the server keeps answering hovers and code
  actions meanwhile. Jobs run one at a time; each takes the open documents' texts and versions
  when it starts.
* A job's result is published per unit unless one of the unit's files changed while it ran:
  that work is for an outdated version and is dropped (the change has scheduled the next job).
* Diagnostics of a file are the union over the units that contain it (a local module called by
  two roots), replaced as a whole for every file of a unit each time the unit is scanned: an
  edit of ``variables.tf`` re-publishes ``main.tf``.
* A configuration that does not load is shown on the configuration file and in a message;
  nothing is scanned until it is fixed. An internal error is logged and the server goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import pathlib
import traceback
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import field

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace.position_codec import PositionCodec

from linter.config.load import CONFIG_NAMES
from linter.discover.overlay import overlaid
from linter.discover.walk import is_excluded
from linter.errors import ConfigError
from linter.model import Finding
from linter.records import mutable
from linter.report.redact import secrets_of

from .convert import Texts, diagnostics_by_file, path_of, uri_of
from .scanning import UnitScan, scan_unit
from .settings import FolderSettings, Loaded
from .units import ModuleIndex, Unit, kind_of, parent_dir, units_of

log = logging.getLogger("iaclint.lsp")

# Seconds after the last keystroke before a scan starts (initializationOptions "debounce", in
# ms, overrides it). Half of the 300 ms budget from keystroke to diagnostics, on purpose: it must
# be longer than the gap between the keys of a burst (~100-150 ms for a fast typist, 200-300 ms
# at 40-60 words a minute) so that a burst costs one scan, not one per key (~45 ms of CPU each
# on bench/lsp_latency.py's module, on machines shared with builds); and short enough that a
# fix shows as soon as typing stops (TypeScript's server in VS Code waits ~200 ms, clangd 50-500
# ms by its recent build times, Eclipse's Java server 400 ms). A save, an open or a code action
# does not wait for it.
DEFAULT_DEBOUNCE = 0.15
Snapshot = dict[str, tuple[int, bytes]]  # absolute path → (version, text) of the open documents


@mutable
class Job:
    """What one job found for one workspace folder (built in the worker thread)."""

    scans: list[UnitScan] = field(default_factory=list)
    diagnostics: dict[Unit, dict[str, list[types.Diagnostic]]] = field(default_factory=dict)
    error: ConfigError | None = None
    failures: list[str] = field(default_factory=list)  # internal errors, formatted
    ignored: set[str] = field(default_factory=set)  # dirty files no unit takes (excluded …)
    loaded: Loaded | None = None


class Folder:
    """A workspace folder: its configuration, module index, pending work and what it shows."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        self.settings = FolderSettings(root)
        self.index: ModuleIndex | None = None
        self.dirty: set[str] = set()
        self.rescan_all = False
        self.timer: asyncio.TimerHandle | None = None
        self.scans: dict[Unit, UnitScan] = {}
        self.shown: dict[Unit, dict[str, list[types.Diagnostic]]] = {}
        self.sent: dict[str, tuple[int | None, list[types.Diagnostic]]] = {}  # last published
        self.config_error: str = ""
        self.config_file: str = ""  # root-relative file the error is shown on
        self.loaded: Loaded | None = None

    def relative(self, path: pathlib.Path) -> str | None:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return None


class Session:
    def __init__(self, server: LanguageServer, debounce: float = DEFAULT_DEBOUNCE) -> None:
        self.server = server
        self.debounce = debounce
        self.folders: dict[pathlib.Path, Folder] = {}
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="iaclint-scan")
        self._lock: asyncio.Lock | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.frozen = False

    # ------------------------------------------------------------------ folders and documents

    def add_folder(self, path: pathlib.Path) -> Folder:
        root = path.resolve()
        if root not in self.folders:
            self.folders[root] = Folder(root)
        return self.folders[root]

    def locate(self, uri: str) -> tuple[Folder, str] | None:
        """The workspace folder holding ``uri`` and its path there (a file outside every folder
        gets its own directory as a folder)."""
        path = path_of(uri)
        if path is None:
            return None
        best: Folder | None = None
        for root, folder in self.folders.items():
            if (root == path or root in path.parents) and (
                    best is None or len(root.parts) > len(best.root.parts)):
                best = folder
        folder = best or self.add_folder(path.parent)
        rel = folder.relative(path)
        return (folder, rel) if rel is not None else None

    def snapshot(self) -> Snapshot:
        out: Snapshot = {}
        for uri, doc in self.server.workspace.text_documents.items():
            path = path_of(uri)
            if path is None:
                continue
            out[str(path)] = (
                doc.version if doc.version is not None else 0, doc.source.encode("utf-8"))
        return out

    def version_of(self, folder: Folder, rel: str, snapshot: Snapshot) -> int | None:
        entry = snapshot.get(str(folder.root / rel))
        return entry[0] if entry is not None else None

    # ------------------------------------------------------------------ scheduling

    def touched(self, uri: str, delay: float | None = None) -> None:
        """``uri`` changed (typed, opened, saved, changed on disk): scan its units soon."""
        located = self.locate(uri)
        if located is None:
            return
        folder, rel = located
        if kind_of(rel) is None and rel.rsplit("/", 1)[-1] not in CONFIG_NAMES:
            return
        folder.dirty.add(rel)
        self.arm(folder, self.debounce if delay is None else delay)

    async def settle(self, folder: Folder, timeout: float = 10.0) -> None:
        """Scan what is pending in ``folder`` now, without waiting for the debounce, and wait
        for every job under way: a code action asked right after typing (fix-all on save) is
        answered for the text the editor has, not for the text before the last keystrokes."""
        if folder.timer is not None:
            folder.timer.cancel()
            self._start(folder)
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    def rescan_folder(self, folder: Folder, delay: float = 0.0) -> None:
        folder.rescan_all = True
        self.arm(folder, delay)

    def arm(self, folder: Folder, delay: float) -> None:
        if folder.timer is not None:
            folder.timer.cancel()
        loop = asyncio.get_running_loop()
        folder.timer = loop.call_later(delay, self._start, folder)

    def _start(self, folder: Folder) -> None:
        folder.timer = None
        task = asyncio.ensure_future(self.run(folder))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, folder: Folder) -> None:
        """One job: scan the units of the folder's dirty files, publish what is still current."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            dirty, folder.dirty = folder.dirty, set()
            rescan_all, folder.rescan_all = folder.rescan_all, False
            if not dirty and not rescan_all:
                return
            try:
                snapshot = self.snapshot()
                codec = self.server.workspace.position_codec
                loop = asyncio.get_running_loop()
                job = await loop.run_in_executor(
                    self.pool, self.work, folder, dirty, rescan_all, snapshot, codec)
                self.publish(folder, job, snapshot)
            except Exception:  # a bug of ours: logged, the next edit schedules the next job
                self.log_error("iaclint lsp: a scan failed (the server goes on)\n"
                               + traceback.format_exc())
                return
            if not self.frozen:
                # What the first job loaded (imports, rules, catalogues, the parse of the
                # workspace) lives as long as the server: moved out of the collector's sight,
                # a full collection no longer walks it (a 270 ms pause every ~15 scans of a
                # 20-file module, before).
                gc.freeze()
                self.frozen = True

    # ------------------------------------------------------------------ the worker thread

    def work(self, folder: Folder, dirty: set[str], rescan_all: bool, snapshot: Snapshot,
             codec: PositionCodec) -> Job:
        job = Job()
        buffers = {path: data for path, (_, data) in snapshot.items()}
        with overlaid(buffers):
            try:
                loaded = folder.settings.current()
            except ConfigError as exc:
                job.error = exc
                return job
            job.loaded = loaded
            if folder.loaded is not loaded:  # new or changed configuration: everything again
                rescan_all = True
            if folder.index is None or folder.index.exclude != loaded.options.exclude:
                folder.index = ModuleIndex(folder.root, loaded.options.exclude)
            index = folder.index
            units: set[Unit] = set(folder.scans) if rescan_all else set()
            try:
                index.refresh(sorted({parent_dir(r) for r in dirty
                                      if kind_of(r) == "terraform"}))
                for rel in sorted(dirty):
                    found = ([] if is_excluded(rel, loaded.options.exclude)
                             or rel.rsplit("/", 1)[-1] in CONFIG_NAMES
                             else units_of(rel, index))
                    if not found:
                        job.ignored.add(rel)
                    units.update(found)
            except Exception:
                job.failures.append(traceback.format_exc())
            for unit in sorted(units):
                try:
                    unit_scan = scan_unit(folder.root, unit, index, loaded, buffers)
                    texts = Texts(folder.root, buffers)
                    secrets = secrets_of(unit_scan.result.findings if unit_scan.result else [])
                    job.diagnostics[unit] = diagnostics_by_file(
                        unit_scan.findings, sorted(unit_scan.files), texts, codec,
                        loaded.rules, secrets)
                    job.scans.append(unit_scan)
                except ConfigError as exc:  # a file the configuration names (var-files …)
                    job.error = exc
                    return job
                except Exception:
                    job.failures.append(f"{unit.kind} {unit.path}:\n{traceback.format_exc()}")
        return job

    # ------------------------------------------------------------------ publishing

    def changed_since(self, snapshot: Snapshot) -> set[str]:
        """Absolute paths of documents opened, closed or edited since ``snapshot``."""
        now = self.snapshot()
        return {p for p in set(snapshot) | set(now)
                if (snapshot.get(p) or (None,))[0] != (now.get(p) or (None,))[0]}

    def publish(self, folder: Folder, job: Job, snapshot: Snapshot) -> None:
        for failure in job.failures:
            self.log_error(f"iaclint lsp: internal error (the server goes on): {failure}")
        self.show_config(folder, job.error)
        if job.error is not None:
            return
        folder.loaded = job.loaded
        changed = self.changed_since(snapshot)
        files: set[str] = set(job.ignored)
        for unit_scan in job.scans:
            unit = unit_scan.unit
            if any(str(folder.root / f) in changed for f in unit_scan.files):
                log.debug("dropped an outdated scan of %s", unit)
                continue
            folder.scans[unit] = unit_scan
            before = folder.shown.get(unit, {})
            folder.shown[unit] = job.diagnostics.get(unit, {})
            files |= set(before) | set(folder.shown[unit])
        for rel in job.ignored:  # no unit (excluded, not scanned): nothing to show
            for unit in list(folder.shown):
                folder.shown[unit].pop(rel, None)
        current = self.snapshot()
        for rel in sorted(files):
            self.send(folder, rel, current)

    def diagnostics_of(self, folder: Folder, rel: str) -> list[types.Diagnostic]:
        out: list[types.Diagnostic] = []
        seen: set[tuple[object, ...]] = set()
        for shown in folder.shown.values():
            for diag in shown.get(rel, ()):
                key = (diag.code, diag.range.start.line, diag.range.start.character,
                       diag.range.end.line, diag.range.end.character, diag.message)
                if key not in seen:
                    seen.add(key)
                    out.append(diag)
        if folder.config_error and rel == folder.config_file:
            out.append(types.Diagnostic(
                range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                message=folder.config_error, severity=types.DiagnosticSeverity.Error,
                source="iaclint"))
        return sorted(out, key=lambda d: (d.range.start.line, d.range.start.character,
                                          str(d.code)))

    def send(self, folder: Folder, rel: str, snapshot: Snapshot) -> None:
        """Publish the diagnostics of ``rel`` unless the client has them already (the same
        list for the same document version): a keystroke in one file of a 20-file module
        re-publishes that file, and the others whose diagnostics it changed."""
        diagnostics = self.diagnostics_of(folder, rel)
        version = self.version_of(folder, rel, snapshot)
        if folder.sent.get(rel) == (version, diagnostics):
            return
        folder.sent[rel] = (version, diagnostics)
        self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri_of(folder.root, rel), diagnostics=diagnostics, version=version))

    def show_config(self, folder: Folder, error: ConfigError | None) -> None:
        message = str(error) if error is not None else ""
        if message == folder.config_error:
            return
        old_file = folder.config_file
        folder.config_error = message
        folder.config_file = ""
        if error is not None:
            path = pathlib.Path(error.file) if error.file else None
            rel = folder.relative(path.resolve()) if path is not None else None
            folder.config_file = rel or ""
            self.server.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error,
                message=f"iaclint: the configuration does not load, nothing is checked until "
                        f"it is fixed: {message}"))
            self.log_error(f"iaclint lsp: configuration error: {message}")
        snapshot = self.snapshot()
        for rel in {old_file, folder.config_file} - {""}:
            self.send(folder, rel, snapshot)
        if error is None and old_file:
            self.rescan_folder(folder)

    def log_error(self, message: str) -> None:
        log.error("%s", message)
        with contextlib.suppress(Exception):  # the client may have gone away
            self.server.window_log_message(types.LogMessageParams(
                type=types.MessageType.Error, message=message))

    # ------------------------------------------------------------------ queries

    def scans_of(self, folder: Folder, rel: str) -> list[UnitScan]:
        return [s for s in folder.scans.values() if rel in s.files]

    def findings_of(self, folder: Folder, rel: str, scans: Iterable[UnitScan] | None = None
                    ) -> list[Finding]:
        seen: set[tuple[object, ...]] = set()
        out: list[Finding] = []
        for unit_scan in scans if scans is not None else self.scans_of(folder, rel):
            for finding in unit_scan.findings:
                key = (finding.rule_id, finding.span, finding.message)
                if finding.span.file == rel and key not in seen:
                    seen.add(key)
                    out.append(finding)
        return out

    def fresh(self, folder: Folder, rel: str, scans: Sequence[UnitScan],
              snapshot: Mapping[str, tuple[int, bytes]]) -> bool:
        """Whether ``scans`` read the document's current text (code actions edit that text)."""
        entry = snapshot.get(str(folder.root / rel))
        if entry is None or not scans:
            return False
        return all(s.buffers.get(str(folder.root / rel)) == entry[1] for s in scans)

    def shutdown(self) -> None:
        for folder in self.folders.values():
            if folder.timer is not None:
                folder.timer.cancel()
        self.pool.shutdown(wait=False, cancel_futures=True)
