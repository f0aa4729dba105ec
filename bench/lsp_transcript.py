"""A transcript of one real ``iaclint lsp`` session, as the JSON-RPC messages on the wire (run
by hand; the issue's acceptance asks for one).

    python bench/lsp_transcript.py [--output transcript.md] [--width 240]

pygls' ``LanguageClient`` drives ``iaclint lsp`` over stdio through a logging wrapper of the
stdio streams: this script, run as ``lsp_transcript.py --tee LOG -- COMMAND…``, starts the
server, copies every byte both ways and writes each framed message it sees to LOG. The session:
initialize → initialized → didOpen of a ``main.tf`` that allows IMDSv1 → publishDiagnostics →
codeAction on the diagnostic → the quick fix's edit applied as the editor applies it (an
incremental didChange) → publishDiagnostics with no diagnostics → shutdown → exit.

The transcript is Markdown: one block per message in wire order, with its direction and time
since the first message; strings longer than ``--width`` characters are cut (the length is
kept). Nothing else is changed: the JSON is what crossed the pipe.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from typing import IO, Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TO_SERVER = "client → server"
TO_CLIENT = "server → client"
MAIN_TF = """resource "aws_instance" "web" {
  ami                  = "ami-0abcdef1234567890"
  instance_type        = "t3.micro"
  iam_instance_profile = "web"

  metadata_options {
    http_tokens = "optional"
  }
}
"""
TIMEOUT = 60.0


# ---------------------------------------------------------------- the logging wrapper


class Frames:
    """Splits one direction of an LSP byte stream into messages (``Content-Length`` frames)."""

    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes) -> list[bytes]:
        self.buffer += data
        out: list[bytes] = []
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return out
            length = 0
            for line in self.buffer[:head_end].split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            start = head_end + 4
            if len(self.buffer) < start + length:
                return out
            out.append(self.buffer[start:start + length])
            self.buffer = self.buffer[start + length:]


def relay(source: IO[bytes], target: IO[bytes], direction: str, log: IO[str],
          lock: threading.Lock) -> None:
    frames = Frames()
    while True:
        data = source.read1(65536) if hasattr(source, "read1") else source.read(65536)
        if not data:
            target.close()
            return
        for body in frames.feed(data):  # logged before it is passed on: causal order
            with lock:
                log.write(json.dumps({"t": time.monotonic(), "dir": direction,
                                      "msg": json.loads(body)}) + "\n")
                log.flush()
        target.write(data)
        target.flush()


def tee(log_path: pathlib.Path, command: Sequence[str]) -> int:
    """Run ``command`` with this process's stdio, logging every message both ways."""
    child = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert child.stdin is not None
    assert child.stdout is not None
    lock = threading.Lock()
    with log_path.open("w") as log:
        threads = [
            threading.Thread(target=relay, daemon=True, args=(
                sys.stdin.buffer, child.stdin, TO_SERVER, log, lock)),
            threading.Thread(target=relay, daemon=True, args=(
                child.stdout, sys.stdout.buffer, TO_CLIENT, log, lock)),
        ]
        for thread in threads:
            thread.start()
        code = child.wait()
        threads[1].join(timeout=5)
    return code


# ---------------------------------------------------------------- the session


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("transcript-client", "1")
        self.published: list[types.PublishDiagnosticsParams] = []
        self.event = asyncio.Event()

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.published.append(params)
            self.event.set()

    async def diagnostics(self, uri: str, version: int) -> types.PublishDiagnosticsParams:
        deadline = time.monotonic() + TIMEOUT
        while True:
            for params in self.published:
                if params.uri == uri and params.version == version:
                    return params
            self.event.clear()
            await asyncio.wait_for(self.event.wait(), max(0.0, deadline - time.monotonic()))


def capabilities() -> types.ClientCapabilities:
    """What an editor such as VS Code or Neovim says it can do, for the features used here."""
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=[
            types.PositionEncodingKind.Utf16]),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=True, version_support=True,
                code_description_support=True, data_support=True),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(value_set=[
                        types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll])),
                is_preferred_support=True, data_support=True),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
        ),
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True),
            workspace_folders=True),
        window=types.WindowClientCapabilities(
            show_document=types.ShowDocumentClientCapabilities(support=True)),
    )


def incremental(edits: Sequence[types.TextEdit]) -> list[types.TextDocumentContentChangeEvent]:
    """A workspace edit as an editor sends it after applying it: one change per edit, the last
    in the document first (so the earlier ranges stay valid)."""
    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                     reverse=True)
    return [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
            for e in ordered]


def applied(text: str, edits: Sequence[types.TextEdit]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                       reverse=True):
        start = starts[edit.range.start.line] + edit.range.start.character
        end = starts[edit.range.end.line] + edit.range.end.character
        text = text[:start] + edit.new_text + text[end:]
    return text


async def session(folder: pathlib.Path, log: pathlib.Path) -> None:
    main = folder / "main.tf"
    main.write_text(MAIN_TF)
    uri = main.as_uri()
    client = Client()
    server = [sys.executable, "-c", "from linter.cli import entry; entry()", "lsp"]
    await client.start_io(sys.executable, str(pathlib.Path(__file__).resolve()),
                          "--tee", str(log), "--", *server)
    await client.initialize_async(types.InitializeParams(
        process_id=None, capabilities=capabilities(), root_uri=folder.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name=folder.name)],
        client_info=types.ClientInfo(name="transcript-client (pygls)", version="1")))
    client.initialized(types.InitializedParams())
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="terraform", version=1,
                                             text=MAIN_TF)))
    first = await client.diagnostics(uri, 1)
    if not first.diagnostics:
        raise SystemExit("no diagnostics for the opened file")
    diagnostic = first.diagnostics[0]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic],
                                        trigger_kind=types.CodeActionTriggerKind.Invoked)))
    fix = next(a for a in actions or [] if isinstance(a, types.CodeAction)
               and a.kind == types.CodeActionKind.QuickFix and a.is_preferred)
    assert fix.edit is not None
    edits = [e for change in fix.edit.document_changes or []
             if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
             for e in change.edits if isinstance(e, types.TextEdit)]
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=incremental(edits)))
    second = await client.diagnostics(uri, 2)
    if second.diagnostics:
        raise SystemExit(f"the fix left {len(second.diagnostics)} diagnostics")
    print(f"fixed text:\n{applied(MAIN_TF, edits)}", file=sys.stderr)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()  # type: ignore[no-untyped-call]


# ---------------------------------------------------------------- the transcript


def cut(value: Any, width: int) -> Any:
    if isinstance(value, str) and len(value) > width:
        return f"{value[:width]}… [{len(value)} characters]"
    if isinstance(value, list):
        return [cut(v, width) for v in value]
    if isinstance(value, dict):
        return {k: cut(v, width) for k, v in value.items()}
    return value


def compact(value: Any, indent: int = 0, width: int = 96) -> str:
    """JSON, indented, with every object or array that fits on its line kept on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {compact(v, indent + 2, width)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [f"{pad}{compact(v, indent + 2, width)}" for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def title(message: dict[str, Any], methods: dict[Any, str]) -> str:
    if "method" in message:
        if "id" in message:
            methods[message["id"]] = message["method"]
            return f"request `{message['method']}` (id {message['id']})"
        return f"notification `{message['method']}`"
    method = methods.get(message.get("id"), "?")
    kind = "error response" if "error" in message else "response"
    return f"{kind} to `{method}` (id {message.get('id')})"


def render(log: pathlib.Path, folder: pathlib.Path, width: int) -> str:
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    start = entries[0]["t"] if entries else 0.0
    methods: dict[Any, str] = {}
    out = [
        "# `iaclint lsp`: one session on the wire",
        "",
        "Recorded by `bench/lsp_transcript.py`: pygls' `LanguageClient` driving `iaclint lsp` "
        "over stdio through a logging wrapper of its stdin and stdout. Every JSON-RPC message "
        f"in wire order; strings over {width} characters are cut (their length is kept); the "
        "JSON is re-indented for reading. "
        f"The workspace folder is `{folder}`.",
        "",
    ]
    for number, entry in enumerate(entries, 1):
        message = entry["msg"]
        elapsed = (entry["t"] - start) * 1000
        out += [f"### {number}. {entry['dir']}: {title(message, methods)} — "
                f"+{elapsed:.0f} ms", "",
                "```json", compact(cut(message, width)),
                "```", ""]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--tee"]:
        return tee(pathlib.Path(args[1]), args[3:] if args[2:3] == ["--"] else args[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=pathlib.Path, default=None,
                        help="write the Markdown transcript here (default: stdout)")
    parser.add_argument("--width", type=int, default=240)
    options = parser.parse_args(args)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="iaclint-session-")).resolve()
    try:
        log = tmp / "wire.jsonl"
        folder = tmp / "infra"
        folder.mkdir()
        asyncio.run(session(folder, log))
        text = render(log, folder, options.width)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if options.output is None:
        sys.stdout.write(text)
    else:
        options.output.parent.mkdir(parents=True, exist_ok=True)
        options.output.write_text(text)
        print(f"transcript: {options.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
