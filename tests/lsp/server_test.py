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
REFUSED = "the editor cannot show this document"
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

    def report_server_error(self, error: Exception, source: Any) -> None:
        if REFUSED in repr(error) or REFUSED in repr(error.__cause__):
            return  # the test's client refuses on purpose (see show_document)
        super().report_server_error(error, source)


def make_client() -> Client:
    client = Client()
    register_lsp_features(client, {method: handler for method, handler
                                   in DEFAULT_CLIENT_FEATURES.items()
                                   if method not in (types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
                                                     types.WINDOW_SHOW_DOCUMENT)})

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
    def publish(params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)

    @client.feature(types.WINDOW_SHOW_DOCUMENT)  # type: ignore[untyped-decorator]
    def show_document(params: types.ShowDocumentParams) -> types.ShowDocumentResult:
        if params.uri.endswith("/refused.tf"):  # a client that fails the request
            raise RuntimeError(REFUSED)
        client.shown_documents.append(params)
        return types.ShowDocumentResult(success=True)

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


TEMPLATE_TF = """resource "aws_launch_template" "web" {
  name_prefix = "web-"
  iam_instance_profile {
    name = "web"
  }
  metadata_options {
    http_tokens                 = "optional"
    http_put_response_hop_limit = 3
  }
}
"""


async def actions_at(client: Client, uri: str, rng: types.Range,
                     only: list[types.CodeActionKind | str] | None = None
                     ) -> list[types.CodeAction]:
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=rng,
        context=types.CodeActionContext(diagnostics=[], only=only)))
    return [a for a in actions or [] if isinstance(a, types.CodeAction)]


@pytest.mark.asyncio(loop_scope="module")
async def test_fix_all_in_file_applies_every_fix_at_once(
        client: Client, workspace: pathlib.Path) -> None:
    main = write(workspace / "fixall" / "main.tf", TEMPLATE_TF)
    open_doc(client, main, TEMPLATE_TF)
    params = await published(client, main, lambda p: p.version == 1)
    assert codes(params) == ["IAC0101", "IAC0102"]
    whole = types.Range(types.Position(0, 0), types.Position(0, 0))
    source = await actions_at(client, main, whole, [types.CodeActionKind.SourceFixAll])
    assert [(a.kind, a.title) for a in source] == [
        ("source.fixAll.iaclint", "Fix all iaclint findings in this file (2)")]
    fixed = apply(TEMPLATE_TF, edits_for(source[0], main))
    assert 'http_tokens                 = "required"' in fixed
    assert "http_put_response_hop_limit = 1" in fixed
    # the same, offered beside the quick fixes of one finding (two fixable findings in the file)
    quick = await actions_at(client, main, params.diagnostics[0].range)
    titles = [a.title for a in quick]
    assert titles[0].startswith("Fix IAC0101")
    assert "Fix all iaclint findings in this file (2)" in titles
    assert not any(a.kind == "source.fixAll.iaclint" for a in quick)  # only when asked for
    change(client, main, 2, fixed)
    assert codes(await published(client, main, lambda p: p.version == 2)) == []


ADMIN_INSTANCE = """resource "aws_instance" "bastion" {
  ami                  = "ami-0abcdef1234567890"
  iam_instance_profile = aws_iam_instance_profile.bastion.name
}

resource "aws_iam_instance_profile" "bastion" {
  role = aws_iam_role.bastion.name
}

resource "aws_iam_role" "bastion" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                   Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.bastion.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""


@pytest.mark.asyncio(loop_scope="module")
async def test_a_toxic_combination_shows_its_chain_as_related_information(
        client: Client, workspace: pathlib.Path) -> None:
    main = write(workspace / "chain" / "main.tf", ADMIN_INSTANCE)
    open_doc(client, main, ADMIN_INSTANCE)
    params = await published(client, main, lambda p: p.version == 1)
    [toxic] = [d for d in params.diagnostics if d.code == "IAC0501"]
    assert toxic.range.start.line == 0  # the instance: where the IMDS fix goes
    chain = [(r.location.uri, r.location.range.start.line, r.message)
             for r in toxic.related_information or []]
    assert chain == [
        (main, 2, "aws_instance.bastion uses instance profile aws_iam_instance_profile.bastion"),
        (main, 6, "aws_iam_instance_profile.bastion holds role aws_iam_role.bastion"),
        (main, 19, "policy of aws_iam_role.bastion: `*` on `*` grants every action on every "
                   "resource"),
    ]
    assert toxic.code_description is not None
    assert toxic.code_description.href.endswith("/docs/rules/imdsv1-with-admin-role.md")


@pytest.mark.asyncio(loop_scope="module")
async def test_a_tfvars_buffer_is_an_input_of_its_module_and_checked_itself(
        client: Client, workspace: pathlib.Path) -> None:
    folder = workspace / "tfvars"
    main = write(folder / "main.tf", MAIN_TF.replace("TOKENS", "var.tokens"))
    write(folder / "variables.tf", VARIABLES_TF)
    tfvars = write(folder / "terraform.tfvars", 'tokens = "required"\n')
    open_doc(client, tfvars, 'tokens = "required"\n')
    assert codes(await published(client, main)) == []
    start = len(client.published)
    key = "AKIA" + "Q3EGRIHFMQVEXAMP"  # an access key id of the documentation's shape
    unsaved = f'tokens = "optional"\naws_access_key_id = "{key}"\n'
    change(client, tfvars, 2, unsaved)
    assert codes(await published(client, main, after=start)) == ["IAC0101"]
    on_tfvars = await published(client, tfvars, lambda p: p.version == 2, after=start)
    assert codes(on_tfvars) == ["IAC0401"]
    assert key not in on_tfvars.diagnostics[0].message  # redacted


TF_JSON = """{
  "resource": {
    "aws_instance": {
      "web": {
        "ami": "ami-0abcdef1234567890",
        "iam_instance_profile": "web",
        "metadata_options": {"http_tokens": "optional"}
      }
    }
  }
}
"""
TEMPLATE_JSON = """{
  "Resources": {
    "Template": {
      "Type": "AWS::EC2::LaunchTemplate",
      "Properties": {
        "LaunchTemplateData": {
          "IamInstanceProfile": {"Name": "web"},
          "MetadataOptions": {"HttpTokens": "optional"}
        }
      }
    }
  }
}
"""


@pytest.mark.asyncio(loop_scope="module")
async def test_terraform_json_and_a_cloudformation_json_template(
        client: Client, workspace: pathlib.Path) -> None:
    tf_json = write(workspace / "json" / "tf" / "main.tf.json", TF_JSON)
    template = write(workspace / "json" / "cfn" / "stack.json", TEMPLATE_JSON)
    for uri, text in ((tf_json, TF_JSON), (template, TEMPLATE_JSON)):
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="json", version=1,
                                                 text=text)))
    on_tf = await published(client, tf_json, lambda p: p.version == 1)
    assert codes(on_tf) == ["IAC0101"]
    assert on_tf.diagnostics[0].range.start.line == 6
    on_cfn = await published(client, template, lambda p: p.version == 1)
    assert codes(on_cfn) == ["IAC0101"]
    assert on_cfn.diagnostics[0].range.start.line == 7
    change(client, template, 2, TEMPLATE_JSON.replace("optional", "required"))
    assert codes(await published(client, template, lambda p: p.version == 2)) == []


CHILD_TF = """variable "tokens" {
  type = string
}

resource "aws_instance" "this" {
  ami                  = "ami-0abcdef1234567890"
  iam_instance_profile = "app"
  metadata_options {
    http_tokens = var.tokens
  }
}
"""


@pytest.mark.asyncio(loop_scope="module")
async def test_editing_a_local_module_refreshes_the_root_that_calls_it(
        client: Client, workspace: pathlib.Path) -> None:
    folder = workspace / "modules"
    child = write(folder / "modules" / "app" / "main.tf", CHILD_TF)
    call = 'module "app" {\n  source = "../modules/app"\n  tokens = "optional"\n}\n'
    root = write(folder / "prod" / "main.tf", call)
    open_doc(client, child, CHILD_TF)  # a file of the module, not of the root
    params = await published(client, root)
    assert codes(params) == ["IAC0101"]
    assert params.diagnostics[0].range.start.line == 2  # where the value is set
    where = [(r.location.uri, r.location.range.start.line)
             for r in params.diagnostics[0].related_information or []]
    assert (child, 8) in where  # what it reaches
    start = len(client.published)
    change(client, child, 2, CHILD_TF.replace("var.tokens", '"required"'))
    assert codes(await published(client, root, after=start)) == []


@pytest.mark.asyncio(loop_scope="module")
async def test_an_edit_republishes_only_the_files_whose_diagnostics_changed(
        client: Client, workspace: pathlib.Path) -> None:
    folder = workspace / "quiet"
    main = write(folder / "main.tf", MAIN_TF.replace("TOKENS", '"optional"'))
    other = write(folder / "other.tf", MAIN_TF.replace("TOKENS", '"optional"')
                  .replace('"web"', '"other"'))
    open_doc(client, main, MAIN_TF.replace("TOKENS", '"optional"'))
    assert codes(await published(client, other)) == ["IAC0101"]
    await published(client, main, lambda p: p.version == 1)
    start = len(client.published)
    change(client, main, 2, MAIN_TF.replace("TOKENS", '"required"'))
    assert codes(await published(client, main, lambda p: p.version == 2, after=start)) == []
    change(client, main, 3, MAIN_TF.replace("TOKENS", '"optional"'))
    await published(client, main, lambda p: p.version == 3, after=start)
    assert [p.uri for p in client.published[start:]] == [main, main]  # other.tf: unchanged


@pytest.mark.asyncio(loop_scope="module")
async def test_an_internal_error_is_logged_and_the_server_goes_on(
        client: Client, workspace: pathlib.Path) -> None:
    before = len(client.log_messages)
    refused = (workspace / "after-error" / "refused.tf").as_uri()
    answer = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="iaclint.selectReason", arguments=[refused, 0, 0]))
    assert answer is None  # answered, not an error response
    errors = [m for m in client.log_messages[before:]
              if m.type == types.MessageType.Error]
    assert len(errors) == 1
    assert errors[0].message.startswith("iaclint lsp: select_reason failed\nTraceback")
    text = MAIN_TF.replace("TOKENS", '"optional"')
    main = write(workspace / "after-error" / "main.tf", text)
    open_doc(client, main, text)
    assert codes(await published(client, main, lambda p: p.version == 1)) == ["IAC0101"]


@pytest.mark.asyncio(loop_scope="module")
async def test_pyproject_configuration_applies_to_the_next_edit_without_a_file_watch(
        client: Client, workspace: pathlib.Path) -> None:
    text = MAIN_TF.replace("TOKENS", '"optional"')
    main = write(workspace / "pyproject" / "main.tf", text)
    open_doc(client, main, text)
    assert codes(await published(client, main, lambda p: p.version == 1)) == ["IAC0101"]
    pyproject = workspace / "pyproject.toml"  # the workspace folder's configuration
    write(pyproject, '[tool.iaclint]\nseverity = {IAC0101 = "note"}\n')
    try:  # no didChangeWatchedFiles: the next scan sees the file's new stamp
        change(client, main, 2, text + "\n")
        params = await published(client, main, lambda p: p.version == 2)
        assert codes(params) == ["IAC0101"]
        assert params.diagnostics[0].severity == types.DiagnosticSeverity.Information
    finally:
        pyproject.unlink()
    change(client, main, 3, text)
    params = await published(client, main, lambda p: p.version == 3)
    assert params.diagnostics[0].severity == types.DiagnosticSeverity.Error


@pytest.mark.asyncio(loop_scope="module")
async def test_a_document_whose_uri_is_no_path_is_ignored(
        client: Client, workspace: pathlib.Path) -> None:
    odd = (workspace / "odd").as_uri() + "/a%00b.tf"  # no file can have this name
    open_doc(client, odd, MAIN_TF.replace("TOKENS", '"optional"'))
    try:
        text = MAIN_TF.replace("TOKENS", '"optional"')
        main = write(workspace / "odd" / "main.tf", text)
        open_doc(client, main, text)  # scanned while the odd document is open
        assert codes(await published(client, main, lambda p: p.version == 1)) == ["IAC0101"]
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=odd), position=types.Position(6, 6)))
        assert hover is None
        assert not [p for p in client.published if p.uri == odd]
    finally:
        client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=odd)))


@pytest.fixture(scope="module")
def patient_folder(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return tmp_path_factory.mktemp("patient").resolve()


@pytest_lsp.fixture(scope="module",  # type: ignore[untyped-decorator]
                    config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def patient_client(lsp_client: Client, patient_folder: pathlib.Path
                         ) -> AsyncIterator[None]:
    """A server whose debounce is a minute: a change is scanned only when something else
    (a save) asks for it."""
    folder = patient_folder
    params = types.InitializeParams(
        capabilities=client_capabilities("neovim"), root_uri=folder.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="patient")],
        initialization_options={"debounce": 60_000})
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="module")
async def test_a_change_waits_for_the_debounce_and_a_save_scans_at_once(
        patient_client: Client, patient_folder: pathlib.Path) -> None:
    client = patient_client
    text = MAIN_TF.replace("TOKENS", '"optional"')
    main = write(patient_folder / "main.tf", text)
    open_doc(client, main, text)  # opening does not wait
    assert codes(await published(client, main, lambda p: p.version == 1)) == ["IAC0101"]
    fixed = MAIN_TF.replace("TOKENS", '"required"')
    change(client, main, 2, fixed)
    await asyncio.sleep(1.0)
    assert [p.version for p in client.published if p.uri == main] == [1]  # still waiting
    write(patient_folder / "main.tf", fixed)
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=main)))
    assert codes(await published(client, main, lambda p: p.version == 2)) == []


@pytest.mark.asyncio(loop_scope="module")
async def test_fix_all_asked_right_after_typing_answers_for_the_typed_text(
        patient_client: Client, patient_folder: pathlib.Path) -> None:
    client = patient_client
    main = write(patient_folder / "fixonsave" / "main.tf", MAIN_TF.replace("TOKENS", '"required"'))
    open_doc(client, main, MAIN_TF.replace("TOKENS", '"required"'))
    assert codes(await published(client, main, lambda p: p.version == 1)) == []
    typed = TEMPLATE_TF  # pasted, then saved at once: the debounce (a minute) has not run out
    change(client, main, 2, typed)
    whole = types.Range(types.Position(0, 0), types.Position(0, 0))
    [action] = await actions_at(client, main, whole, [types.CodeActionKind.SourceFixAll])
    assert action.title == "Fix all iaclint findings in this file (2)"
    fixed = apply(typed, edits_for(action, main))
    assert 'http_tokens                 = "required"' in fixed
    assert "http_put_response_hop_limit = 1" in fixed


@pytest.mark.asyncio(loop_scope="module")
async def test_a_file_changed_on_disk_refreshes_the_open_files_of_its_module(
        client: Client, workspace: pathlib.Path) -> None:
    folder = workspace / "on-disk"
    text = MAIN_TF.replace("TOKENS", "var.tokens")
    main = write(folder / "main.tf", text)
    variables = write(folder / "variables.tf", VARIABLES_TF)
    open_doc(client, main, text)
    assert codes(await published(client, main, lambda p: p.version == 1)) == []
    start = len(client.published)
    write(folder / "variables.tf", VARIABLES_TF.replace('"required"', '"optional"'))  # a checkout
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=variables, type=types.FileChangeType.Changed)]))
    assert codes(await published(client, main, after=start)) == ["IAC0101"]
