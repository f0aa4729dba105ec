"""The ``aws-credentials`` predicate: TRUE when a resource holds a hard-coded AWS credential.

(Named without a ``secrets.`` prefix because the rule schema's predicate-name pattern has no dots.)

``with`` (all optional):

* ``example_keys`` (default true): report AWS's documented example key pair too. It is kept on
  by default: the example key looks real to every scanner and reviewer, and code that carries it
  is code into which a real key gets pasted next.
* ``private_keys`` (default true): report PEM private keys found in user data.

The Outcome never carries a raw secret in a message placeholder. ``details["redact"]`` lists the
raw strings (the secrets and, for base64 user data, the encoded blob they were decoded from) for
the engine to copy into ``Finding.properties["redact"]`` so reporters can scrub code frames.
A value that comes from a tfvars file is reported on that file's own ``tfvars`` resource (at its
line there), not again on every resource it reaches; likewise a CloudFormation parameter's
``Default`` is reported on the parameter (``AWS::CloudFormation::Parameter``), with the resources
that use it as related locations. Every tfvars value is read like user data
(base64 decoded, scripts read, private keys count), since nothing says where it goes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linter.checks.context import RuleContext
from linter.frontends.cloudformation.parameters import PARAMETER_TYPE
from linter.frontends.terraform import TFVARS_TYPE
from linter.graph.graph import Graph
from linter.model import Outcome, Related, Resource, Span
from linter.secrets.locate import Leak, find_leaks, from_tfvars

NAME = "aws-credentials"

SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-details": ["what", "where", "count"],
    "additionalProperties": False,
    "properties": {
        "example_keys": {"type": "boolean"},
        "private_keys": {"type": "boolean"},
    },
}


def aws_credentials(ctx: RuleContext, args: Mapping[str, Any]) -> Outcome:
    resource = ctx.resource
    variable_file = resource.type == TFVARS_TYPE
    leaks = [
        leak for leak in find_leaks(resource, example_keys=bool(args.get("example_keys", True)),
                                    private_keys=bool(args.get("private_keys", True)),
                                    scripts_everywhere=variable_file)
        if variable_file or not from_tfvars(resource, leak)
    ]
    if resource.type != PARAMETER_TYPE:
        defaults = _parameter_defaults(ctx.graph, resource.file)
        leaks = [leak for leak in leaks if not any(_within(leak.span, d) for d, _ in defaults)]
    if not leaks:
        return Outcome.false()
    users = _users(ctx.graph, resource) if resource.type == PARAMETER_TYPE else []
    # explicit spans only (no paths): the engine points at a path's span before explicit spans,
    # and a secret inside a heredoc has a line of its own
    return Outcome.true(
        spans=tuple(dict.fromkeys(leak.span for leak in leaks)),
        details=describe(leaks),
        related=(*(
            Related(leak.span, f"{leak.hit.label} in {leak.place}", resource.address)
            for leak in leaks[1:]
        ), *users),
    )


def _parameter_defaults(graph: Graph, file: str) -> list[tuple[Span, Resource]]:
    """The ``Default`` spans of the CloudFormation parameters of ``file``."""
    out = []
    for parameter in graph.of_type(PARAMETER_TYPE):
        span = parameter.spans.get(("Default",))
        if span is not None and parameter.file == file:
            out.append((span, parameter))
    return out


def _within(span: Span, container: Span) -> bool:
    return span.file == container.file and container.start_line <= span.start_line and (
        span.start_line <= max(container.end_line, container.start_line))


def _users(graph: Graph, parameter: Resource) -> list[Related]:
    """The resources whose values come from the parameter's default."""
    default = parameter.spans.get(("Default",))
    if default is None:
        return []
    out = []
    for resource in graph.all_resources():
        if resource.file != parameter.file or resource.type == PARAMETER_TYPE:
            continue
        for path, origins in resource.origins.items():
            if default in origins:
                out.append(Related(resource.span_at(path), f"used by {resource.address}",
                                   resource.address))
                break
    return list(dict.fromkeys(out))


def describe(leaks: list[Leak]) -> dict[str, Any]:
    """Message placeholders: ``{what}`` (redacted), ``{where}``, ``{count}``, and ``redact``."""
    labels = list(dict.fromkeys(leak.hit.label for leak in leaks))
    places = list(dict.fromkeys(leak.place for leak in leaks))
    what = " and ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
    where = " and ".join(places[:2]) + (f" and {len(places) - 2} more places"
                                        if len(places) > 2 else "")
    return {
        "what": what,
        "where": where,
        "count": len(leaks),
        "redact": sorted({s for leak in leaks for s in leak.redact}, key=lambda s: (-len(s), s)),
    }
