"""The session's jobs without a client: work for an outdated version is dropped, and a unit
whose scan fails is logged while the others are published."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

pytest.importorskip("pygls")

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace.position_codec import PositionCodec

from linter.lsp import scanning
from linter.lsp import session as session_module
from linter.lsp.session import Session

TEMPLATE = """Resources:
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        IamInstanceProfile: {Name: web}
        MetadataOptions:
          HttpTokens: optional
"""


@dataclass
class Document:
    version: int
    source: str


@dataclass
class Workspace:
    text_documents: dict[str, Document] = field(default_factory=dict)
    position_codec: PositionCodec = field(
        default_factory=lambda: PositionCodec(types.PositionEncodingKind.Utf16))


@dataclass
class Server:
    """What the session asks of pygls' LanguageServer, recorded."""

    workspace: Workspace = field(default_factory=Workspace)
    published: list[types.PublishDiagnosticsParams] = field(default_factory=list)
    logged: list[types.LogMessageParams] = field(default_factory=list)

    def text_document_publish_diagnostics(self, params: types.PublishDiagnosticsParams) -> None:
        self.published.append(params)

    def window_log_message(self, params: types.LogMessageParams) -> None:
        self.logged.append(params)

    def window_show_message(self, params: types.ShowMessageParams) -> None:
        pass


def setup(tmp_path: pathlib.Path, names: list[str]) -> tuple[Server, Session, list[str]]:
    server = Server()
    session = Session(cast(LanguageServer, server))
    uris = []
    for name in names:
        path = tmp_path / name
        path.write_text(TEMPLATE)
        uris.append(path.as_uri())
        server.workspace.text_documents[path.as_uri()] = Document(1, TEMPLATE)
    return server, session, uris


def test_work_for_an_outdated_version_is_dropped(tmp_path: pathlib.Path) -> None:
    server, session, [uri] = setup(tmp_path, ["stack.yaml"])
    folder = session.add_folder(tmp_path)
    codec = server.workspace.position_codec
    snapshot = session.snapshot()
    job = session.work(folder, {"stack.yaml"}, False, snapshot, codec)
    assert [d.code for ds in job.diagnostics.values() for d in ds["stack.yaml"]] == ["IAC0101"]
    server.workspace.text_documents[uri] = Document(2, TEMPLATE.replace("optional", "required"))
    session.publish(folder, job, snapshot)  # typed while the scan ran: its result is stale
    assert server.published == []
    assert folder.scans == {}  # nor kept for code actions and hovers
    snapshot = session.snapshot()
    session.publish(folder, session.work(folder, {"stack.yaml"}, False, snapshot, codec),
                    snapshot)
    assert [(p.uri, p.version, p.diagnostics) for p in server.published] == [(uri, 2, [])]


def test_a_unit_whose_scan_fails_is_logged_and_the_others_are_published(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server, session, [a, b] = setup(tmp_path, ["a.yaml", "b.yaml"])
    folder = session.add_folder(tmp_path)
    real_scan = scanning.scan_unit

    def failing(root: pathlib.Path, unit: Any, *args: Any) -> Any:
        if unit.path == "a.yaml":
            raise RuntimeError("a bug of ours")
        return real_scan(root, unit, *args)

    monkeypatch.setattr(session_module, "scan_unit", failing)
    snapshot = session.snapshot()
    job = session.work(folder, {"a.yaml", "b.yaml"}, False, snapshot,
                       server.workspace.position_codec)
    session.publish(folder, job, snapshot)
    assert [(p.uri, [d.code for d in p.diagnostics]) for p in server.published] == [
        (b, ["IAC0101"])]
    [logged] = server.logged
    assert logged.type == types.MessageType.Error
    assert logged.message.startswith("iaclint lsp: internal error (the server goes on): "
                                     "file a.yaml:\nTraceback")
    assert "RuntimeError: a bug of ours" in logged.message
    assert a not in [p.uri for p in server.published]
