"""The HCL syntax tree that the Terraform front end produces and the evaluator consumes.

Both ``.tf`` (tree-sitter-hcl) and ``.tf.json`` (JSON with Terraform's JSON-syntax rules) are
parsed into these nodes, so evaluation never cares which syntax a file used. Every node has a
``span``; ``text`` on expressions is the exact source text (used in Unknown notes and messages).

Nodes are records (``linter.records``): immutable to the type checker, compared and hashed
by value, without the run-time ``__setattr__`` guard of a frozen dataclass, whose ``__init__``
set each field through ``object.__setattr__`` (about two thirds of the cost of making a node;
a parse of 10,000 resources makes a million of them).
"""

from __future__ import annotations

from dataclasses import field
from typing import Union

from linter.model import Span
from linter.records import record

# ---------------------------------------------------------------- expressions


@record(slots=True)
class Literal:
    """A number, string without interpolation, bool or null."""

    value: object
    span: Span
    text: str


@record(slots=True)
class TemplateIf:
    condition: Expr
    then: Template
    otherwise: Template | None


@record(slots=True)
class TemplateFor:
    key_var: str | None
    value_var: str
    collection: Expr
    body: Template


TemplatePart = Union[str, "Expr", TemplateIf, TemplateFor]


@record(slots=True)
class Template:
    """A quoted string or heredoc with interpolations/directives (``"a-${var.b}"``).

    A template consisting of exactly one interpolation and nothing else evaluates to that
    expression's value unchanged (Terraform semantics), not to its string form.
    Heredoc indentation stripping (``<<-``) is applied by the parser.
    """

    parts: tuple[TemplatePart, ...]
    span: Span
    text: str


@record(slots=True)
class GetAttr:
    name: str


@record(slots=True)
class Index:
    key: Expr


@record(slots=True)
class Splat:
    """``[*]`` (full) or ``.*`` (attribute-only legacy splat).

    The steps that follow a splat in the same traversal apply to each element
    (``aws_instance.x[*].id`` → ``[for i in aws_instance.x : i.id]``).
    """

    full: bool = True


Step = GetAttr | Index | Splat


@record(slots=True)
class Traversal:
    """A reference: a root name followed by steps (``aws_instance.web[0].id``, ``var.x``)."""

    root: str
    steps: tuple[Step, ...]
    span: Span
    text: str


@record(slots=True)
class Relative:
    """Steps applied to an arbitrary expression (``func(x)[0].name``, ``(local.a).b``)."""

    source: Expr
    steps: tuple[Step, ...]
    span: Span
    text: str


@record(slots=True)
class FunctionCall:
    name: str  # may include a provider namespace: "provider::aws::arn_parse"
    args: tuple[Expr, ...]
    expand_final: bool  # f(args...)
    span: Span
    text: str


@record(slots=True)
class Conditional:
    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span
    text: str


@record(slots=True)
class BinaryOp:
    op: str  # + - * / % == != < <= > >= && ||
    left: Expr
    right: Expr
    span: Span
    text: str


@record(slots=True)
class UnaryOp:
    op: str  # ! -
    operand: Expr
    span: Span
    text: str


@record(slots=True)
class TupleExpr:
    items: tuple[Expr, ...]
    span: Span
    text: str


@record(slots=True)
class ObjectItem:
    key: Expr  # a bare identifier key is a Literal string; "(expr)" keys are expressions
    value: Expr
    span: Span


@record(slots=True)
class ObjectExpr:
    items: tuple[ObjectItem, ...]
    span: Span
    text: str


@record(slots=True)
class ForExpr:
    """``[for k, v in coll : expr if cond]`` / ``{for k, v in coll : key => value... if cond}``."""

    key_var: str | None
    value_var: str
    collection: Expr
    key_expr: Expr | None  # object form only
    value_expr: Expr
    condition: Expr | None
    grouping: bool  # the ``...`` of an object for-expression
    is_object: bool
    span: Span
    text: str


@record(slots=True)
class Invalid:
    """An expression that did not parse (inside an ERROR node). Evaluates to Unknown."""

    span: Span
    text: str


Expr = (
    Literal
    | Template
    | Traversal
    | Relative
    | FunctionCall
    | Conditional
    | BinaryOp
    | UnaryOp
    | TupleExpr
    | ObjectExpr
    | ForExpr
    | Invalid
)

# ---------------------------------------------------------------- structure


@record(slots=True)
class Attribute:
    name: str
    expr: Expr
    span: Span  # the whole ``name = expr`` line(s)
    name_span: Span


@record(slots=True)
class Block:
    """``type "label" "label" { body }`` — resource, data, module, variable, provider, nested."""

    type: str
    labels: tuple[str, ...]
    body: Body
    span: Span  # from the type keyword to the closing brace
    header: Span  # the first line: type and labels


@record(slots=True)
class Body:
    attributes: tuple[Attribute, ...] = ()
    blocks: tuple[Block, ...] = ()

    def attribute(self, name: str) -> Attribute | None:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        return None

    def blocks_of(self, type_: str) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.type == type_)


@record(slots=True)
class SyntaxProblem:
    """A syntax error: where and the human-readable message (from python-hcl2 when available)."""

    span: Span
    message: str


@record(slots=True)
class Comment:
    """One comment with its markers (``# x``, ``// x``, ``/* x */``) and where it is."""

    span: Span
    text: str
    trailing: bool  # code precedes it on its first line (an annotation for that line)


@record(slots=True)
class HclFile:
    path: str  # relative to the scan root
    body: Body
    problems: tuple[SyntaxProblem, ...] = ()
    comments: tuple[tuple[int, str], ...] = field(default=())  # (line, text) of every comment
    comment_details: tuple[Comment, ...] = ()  # the same comments with span and placement
