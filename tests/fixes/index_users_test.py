"""linter/fixes/plan.py ``_index_users``: the starts wanted grouped by file give the users the
plain test of every span's (file, line, column) gives."""

from __future__ import annotations

import pathlib

from linter.fixes import hcl
from linter.fixes.plan import UserKey, _Context, _index_users, _key
from linter.model import Format, Path, Resource, Span


def _plain_users(resources: list[Resource], wanted: set[UserKey]
                 ) -> dict[UserKey, list[tuple[Resource, Path]]]:
    """``_index_users`` as it was: each span's key looked up in ``wanted``."""
    users: dict[UserKey, list[tuple[Resource, Path]]] = {}
    for resource in resources:
        if resource.kind == "tfvars":
            continue
        for path, span in resource.spans.items():
            if _key(span) in wanted:
                users.setdefault(_key(span), []).append((resource, path))
        for path, spans in resource.origins.items():
            for span in spans:
                if _key(span) in wanted:
                    users.setdefault(_key(span), []).append((resource, path))
    return users


def _resource(address: str, kind: str, spans: dict[Path, Span],
              origins: dict[Path, tuple[Span, ...]]) -> Resource:
    return Resource(address, "AWS::S3::Bucket", Format.CLOUDFORMATION, kind, {}, spans,
                    "a.yaml", origins=origins)


def test_users_are_those_of_the_plain_lookup(tmp_path: pathlib.Path) -> None:
    shared = Span("a.yaml", 3, 5, 3, 9)
    resources = [
        _resource("A", "resource", {(): Span("a.yaml", 1), ("P",): shared},
                  {("P",): (Span("p.yaml", 7, 3), shared), ("Q",): (Span("a.yaml", 3, 6),)}),
        _resource("B", "resource", {("X", 0): Span("b.yaml", 3, 5), ("Y",): shared}, {}),
        _resource("T", "tfvars", {("P",): shared}, {("P",): (shared,)}),
        _resource("C", "resource", {}, {("Z",): (Span("p.yaml", 7, 3, 9, 1),)}),
    ]
    wanted: set[UserKey] = {("a.yaml", 3, 5), ("p.yaml", 7, 3), ("b.yaml", 1, 1),
                            ("c.yaml", 3, 5)}
    context = _Context(tmp_path, resources, hcl.HclSources(tmp_path))
    _index_users(context, wanted)
    assert context.users == _plain_users(resources, wanted)
    assert set(context.users) == {("a.yaml", 3, 5), ("p.yaml", 7, 3)}
