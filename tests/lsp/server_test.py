"""End-to-end: ``iaclint lsp`` driven over stdio by a real LSP client (pytest-lsp).

One server serves the whole module (starting one costs about a second); each test works in its
own directory of the workspace, so the units it scans are its own.
"""

from __future__ import annotations

import asyncio
import pathlib
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Union

import pytest

pytest.importorskip("pygls")
pytest.importorskip("pytest_lsp")

import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

TIMEOUT = 30.0
SERVER = [sys.executable, "-c", "from linter.cli import entry; entry()", "lsp", "--stdio"]

MAIN_TF = """resource "aws_instance" "web" {
  ami                  = "ami-0abcdef1234567890"
  instance_type        = "t3.micro"
  iam_instance_profile = "web"

  metadata_options {
    http_tokens = TOKENS
  }
}
"""
VARIABLES_TF = """variable "tokens" {
  type    = string
  default = "required"
}
"""
TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        IamInstanceProfile: {Name: web}
        MetadataOptions:
          HttpTokens: optional
"""


def converter() -> Any:
    """lsprotocol's converter, reading a code action that has both an edit and a command as a
    CodeAction (lsprotocol takes anything with a "command" key for a Command; the protocol and
    VS Code, Neovim, Emacs, Helix tell them apart by the type of "command")."""
    base = default_converter()  # type: ignore[no-untyped-call]

    def action(value: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(value.get("command"), str):
            return base.structure(value, types.Command)  # type: ignore[no-any-return]
        return base.structure(value, types.CodeAction)  # type: ignore[no-any-return]

    base.register_structure_hook(Union[types.Command, types.CodeAction], action)  # noqa: UP007
    return base


class Client(LanguageClient):
    """pytest-lsp's client, keeping every publishDiagnostics (with its version) in order."""

    def __init__(self) -> None:
        super().__init__(converter_factory=converter)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.registrations: list[types.Registration] = []


def make_client() -> Client:
    client = Client()
    register_lsp_features(client, {method: handler for method, handler
                                   in DEFAULT_CLIENT_FEATURES.items()
                                   if method != types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS})

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
    def publish(params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)  # type: ignore[untyped-decorator]
    def register(params: types.RegistrationParams) -> None:
        client.registrations = [*client.registrations, *params.registrations]

    return client


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return tmp_path_factory.mktemp("workspace").resolve()


@pytest_lsp.fixture(scope="module",  # type: ignore[untyped-decorator]
                    config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def client(lsp_client: Client, workspace: pathlib.Path) -> AsyncIterator[None]:
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        initialization_options={"debounce": 50},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def write(path: pathlib.Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path.as_uri()


def language(uri: str) -> str:
    return "terraform" if uri.endswith(".tf") else "yaml"


def open_doc(client: Client, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id=language(uri),
                                             version=version, text=text)))


def change(client: Client, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def published(client: Client, uri: str,
                    accept: Callable[[types.PublishDiagnosticsParams], bool] = lambda p: True,
                    after: int = 0) -> types.PublishDiagnosticsParams:
    """The first publishDiagnostics for ``uri`` (from index ``after`` on) that ``accept``s."""
    deadline = time.monotonic() + TIMEOUT
    seen = after
    while time.monotonic() < deadline:
        for params in client.published[seen:]:
            seen += 1
            if params.uri == uri and accept(params):
                return params
        await asyncio.sleep(0.02)
    raise AssertionError(f"no diagnostics for {uri} within {TIMEOUT}s: "
                         f"{[(p.uri, p.version, len(p.diagnostics)) for p in client.published]}")


def codes(params: types.PublishDiagnosticsParams) -> list[str]:
    return [str(d.code) for d in params.diagnostics]


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """The text with ``edits`` applied (ASCII test files: characters are UTF-16 units)."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: types.Position) -> int:
        return offsets[min(position.line, len(lines))] + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                       reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


def edits_for(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None
    out: list[types.TextEdit] = []
    for change_ in action.edit.document_changes or ():
        assert isinstance(change_, types.TextDocumentEdit)
        if change_.text_document.uri == uri:
            out += [e for e in change_.edits if isinstance(e, types.TextEdit)]
    out += (action.edit.changes or {}).get(uri, [])
    return out


@pytest.mark.asyncio(loop_scope="module")
async def test_open_publishes_the_finding_with_code_link_and_range(
        client: Client, workspace: pathlib.Path) -> None:
    main = write(workspace / "open" / "main.tf", MAIN_TF.replace("TOKENS", '"optional"'))
    open_doc(client, main, MAIN_TF.replace("TOKENS", '"optional"'))
    params = await published(client, main, lambda p: p.version == 1)
    assert codes(params) == ["IAC0101"]
    diag = params.diagnostics[0]
    assert diag.severity == types.DiagnosticSeverity.Error
    assert diag.source == "iaclint"
    assert diag.range == types.Range(types.Position(6, 4), types.Position(6, 28))
    assert diag.code_description is not None
    assert diag.code_description.href.endswith("/docs/rules/imds-v1-allowed.md")
    assert "aws_instance.web allows IMDSv1" in diag.message


@pytest.mark.asyncio(loop_scope="module")
async def test_an_unsaved_change_is_scanned_and_clears_the_diagnostic(
        client: Client, workspace: pathlib.Path) -> None:
    text = MAIN_TF.replace("TOKENS", '"optional"')
    main = write(workspace / "change" / "main.tf", text)
    open_doc(client, main, text)
    assert codes(await published(client, main, lambda p: p.version == 1)) == ["IAC0101"]
    change(client, main, 2, MAIN_TF.replace("TOKENS", '"required"'))
    assert codes(await published(client, main, lambda p: p.version == 2)) == []
    assert "optional" in (workspace / "change" / "main.tf").read_text()  # never written


@pytest.mark.asyncio(loop_scope="module")
async def test_editing_variables_tf_refreshes_main_tf(
        client: Client, workspace: pathlib.Path) -> None:
    main = write(workspace / "dependent" / "main.tf", MAIN_TF.replace("TOKENS", "var.tokens"))
    variables = write(workspace / "dependent" / "variables.tf", VARIABLES_TF)
    open_doc(client, variables, VARIABLES_TF)
    await published(client, main, lambda p: not p.diagnostics)  # main.tf is in the unit
    start = len(client.published)
    change(client, variables, 2, VARIABLES_TF.replace('"required"', '"optional"'))
    params = await published(client, main, after=start)
    assert codes(params) == ["IAC0101"]
    related = params.diagnostics[0].related_information or []
    where = [(r.location.uri, r.location.range.start.line) for r in related]
    assert where == [(variables, 2)]  # default = …


@pytest.mark.asyncio(loop_scope="module")
async def test_suppress_with_reason_is_applied_and_clears_the_diagnostic(
        client: Client, workspace: pathlib.Path) -> None:
    text = MAIN_TF.replace("TOKENS", '"optional"')
    main = write(workspace / "suppress" / "main.tf", text)
    open_doc(client, main, text)
    diag = (await published(client, main, lambda p: p.version == 1)).diagnostics[0]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=main), range=diag.range,
        context=types.CodeActionContext(diagnostics=[diag])))
    assert actions is not None, "none"
    suppress = [a for a in actions if isinstance(a, types.CodeAction)
                and a.title.startswith("Suppress IAC0101")]
    assert len(suppress) == 1
    action = suppress[0]
    assert action.kind == types.CodeActionKind.QuickFix
    fixed = apply(text, edits_for(action, main))
    assert '    # iaclint:ignore IAC0101 reason=""\n    http_tokens = "optional"' in fixed
    assert action.command is not None  # puts the cursor in the reason
    await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=action.command.command, arguments=action.command.arguments))
    assert client.shown_documents[-1].selection == types.Range(
        types.Position(6, 37), types.Position(6, 37))
    fixed = fixed.replace('reason=""', 'reason="vendor AMI"')
    change(client, main, 2, fixed)
    assert codes(await published(client, main, lambda p: p.version == 2)) == []


@pytest.mark.asyncio(loop_scope="module")
async def test_quick_fix_from_the_fix_stage_is_applied(
        client: Client, workspace: pathlib.Path) -> None:
    on_disk = MAIN_TF.replace("TOKENS", '"optional"')
    main = write(workspace / "quickfix" / "main.tf", on_disk)
    text = "# unsaved: the fix is planned against the buffer, not the file on disk\n\n" + on_disk
    open_doc(client, main, text)
    diag = (await published(client, main, lambda p: p.version == 1)).diagnostics[0]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=main), range=diag.range,
        context=types.CodeActionContext(diagnostics=[diag])))
    fixes = [a for a in actions or [] if isinstance(a, types.CodeAction)
             and a.title.startswith("Fix IAC0101")]
    assert len(fixes) == 1
    fixed = apply(text, edits_for(fixes[0], main))
    assert 'http_tokens = "required"' in fixed
    change(client, main, 2, fixed)
    assert codes(await published(client, main, lambda p: p.version == 2)) == []


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_on_a_finding_shows_the_rule_documentation(
        client: Client, workspace: pathlib.Path) -> None:
    text = MAIN_TF.replace("TOKENS", '"optional"')
    main = write(workspace / "hover" / "main.tf", text)
    open_doc(client, main, text)
    await published(client, main, lambda p: p.version == 1)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=main), position=types.Position(6, 10)))
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    value = hover.contents.value
    assert value.startswith("**IAC0101** `imds-v1-allowed` (error): aws_instance.web allows")
    assert "Why is this bad?" in value
    assert "aws ec2 modify-instance-metadata-options" in value
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=main), position=types.Position(1, 2)))
    assert nothing is None


@pytest.mark.asyncio(loop_scope="module")
async def test_a_broken_file_is_a_diagnostic_and_the_server_goes_on(
        client: Client, workspace: pathlib.Path) -> None:
    broken = 'resource "aws_instance" "web" {\n  ami = \n'
    main = write(workspace / "broken" / "main.tf", broken)
    open_doc(client, main, broken)
    params = await published(client, main, lambda p: p.version == 1)
    assert codes(params) == ["IAC0001"]
    assert params.diagnostics[0].range.start.line in (1, 2)
    template = write(workspace / "broken" / "stack.yaml", TEMPLATE)
    open_doc(client, template, TEMPLATE)
    assert codes(await published(client, template, lambda p: p.version == 1)) == ["IAC0101"]


@pytest.mark.asyncio(loop_scope="module")
async def test_a_cloudformation_template(client: Client, workspace: pathlib.Path) -> None:
    template = write(workspace / "cfn" / "template.yaml", TEMPLATE)
    open_doc(client, template, TEMPLATE)
    params = await published(client, template, lambda p: p.version == 1)
    assert codes(params) == ["IAC0101"]
    assert params.diagnostics[0].range.start.line == 8
    fixed = TEMPLATE.replace("optional", "required")
    change(client, template, 2, fixed)
    assert codes(await published(client, template, lambda p: p.version == 2)) == []


@pytest.mark.asyncio(loop_scope="module")
async def test_work_for_outdated_versions_is_never_published(
        client: Client, workspace: pathlib.Path) -> None:
    texts = {v: MAIN_TF.replace("TOKENS", '"optional"' if v % 2 else '"required"')
             for v in range(1, 12)}
    main = write(workspace / "typing" / "main.tf", texts[1])
    start = len(client.published)
    open_doc(client, main, texts[1])
    for version in range(2, 12):
        change(client, main, version, texts[version])
        await asyncio.sleep(0.01)
    await published(client, main, lambda p: p.version == 11, after=start)
    mine = [p for p in client.published[start:] if p.uri == main]
    for params in mine:  # every publication matches the text of the version it names
        assert params.version is not None
        assert codes(params) == (["IAC0101"] if params.version % 2 else [])
    assert len(mine) < 11  # the typing was debounced


@pytest.mark.asyncio(loop_scope="module")
async def test_configuration_is_reloaded_when_it_changes(
        client: Client, workspace: pathlib.Path) -> None:
    folder = workspace / "config"
    text = MAIN_TF.replace("TOKENS", '"optional"')
    main = write(folder / "main.tf", text)
    open_doc(client, main, text)
    assert codes(await published(client, main, lambda p: p.version == 1)) == ["IAC0101"]
    start = len(client.published)
    config = write(workspace / ".iaclint.yaml", "ignore: [IAC0101]\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=config, type=types.FileChangeType.Created)]))
    try:
        assert codes(await published(client, main, after=start)) == []
        start = len(client.published)
        write(workspace / ".iaclint.yaml", "ignore: [IAC0110]\n")  # no such rule
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=config, type=types.FileChangeType.Changed)]))
        params = await published(client, config, after=start)
        assert "IAC0110" in params.diagnostics[0].message
        assert any("configuration does not load" in m.message for m in client.messages)
    finally:
        (workspace / ".iaclint.yaml").unlink()
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=config, type=types.FileChangeType.Deleted)]))
    assert codes(await published(client, main, lambda p: bool(p.diagnostics),
                                 after=start)) == ["IAC0101"]
