"""Where a "suppress with reason" code action writes its ``iaclint:ignore`` comment.

The comment goes on a line of its own above the finding's line, indented like it (an own-line
comment covers the next line of code, further comment lines skipped: ``linter.engine.suppress``)::

    # iaclint:ignore IAC0101 reason=""
    http_tokens = "optional"

with the reason left empty for the user to type (the action then selects it): an empty reason
is a suppression without one, which ``suppressions: {require-reason: true}`` reports.

A comment line must never land inside a string: a heredoc or a multi-line template in
Terraform, a block scalar or a multi-line quoted scalar in YAML (a policy document, user data).
There the comment goes above the resource's header instead, where it covers the whole resource.
JSON has no comments: no comment is offered (CloudFormation JSON can use ``Metadata``).
"""

from __future__ import annotations

from linter.records import record

COMMENT = "# iaclint:ignore"
_STRING_NODES = ("heredoc_template", "quoted_template", "string_lit", "template_expr",
                 "template_literal")


@record
class Placement:
    line: int  # 0-based: the comment line is inserted before this line
    text: str  # the comment line, newline included
    reason: int  # 0-based column (characters) where the reason goes, between its quotes
    whole_resource: bool  # written above the resource header: covers the whole resource


def comment_text(rule_id: str, indent: str, newline: str = "\n") -> tuple[str, int]:
    head = f'{indent}{COMMENT} {rule_id} reason="'
    return head + '"' + newline, len(head)


def is_json(rel: str, text: str) -> bool:
    return rel.endswith(".json") or text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


def inside_multiline_string(rel: str, text: str, line: int) -> bool:
    """Whether 0-based ``line`` starts inside a string that began on an earlier line."""
    if rel.endswith((".tf", ".tfvars")):
        return _inside_hcl_string(text, line)
    return _inside_yaml_scalar(text, line)


def _inside_hcl_string(text: str, line: int) -> bool:
    from linter.frontends.terraform.hcl_treesitter import ParseBudgetExceeded, parse_tree

    lines = text.splitlines()
    if line >= len(lines):
        return False
    content = lines[line]
    stripped = len(content) - len(content.lstrip())
    column = len(content[:stripped].encode("utf-8"))
    try:
        tree = parse_tree(text.encode("utf-8"))
    except ParseBudgetExceeded:
        return False
    node = tree.root_node.descendant_for_point_range((line, column), (line, column))
    while node is not None:
        if node.type in _STRING_NODES and node.start_point[0] < line:
            return True
        node = node.parent
    return False


def _inside_yaml_scalar(text: str, line: int) -> bool:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for event in yaml.parse(text, Loader=loader):
            if not isinstance(event, yaml.ScalarEvent):
                continue
            start, end = event.start_mark, event.end_mark
            if start is None or end is None or start.line >= line:
                continue
            if line < end.line or (line == end.line and end.column > 0):
                return True
    except yaml.YAMLError:
        return False  # a broken file: nothing is known; the line above is the best guess
    return False


def place(rel: str, text: str, rule_id: str, line: int, header: int | None
          ) -> Placement | None:
    """Where to suppress ``rule_id`` for a finding on 1-based ``line`` (``header``: the
    1-based line of its resource's header in the same file, if known); None in JSON or when
    no line is safe."""
    if is_json(rel, text):
        return None
    lines = text.splitlines()
    target = line - 1
    whole = header is not None and header == line
    if inside_multiline_string(rel, text, target):
        if header is None or header >= line:
            return None
        target, whole = header - 1, True
    if not 0 <= target <= len(lines):
        return None
    current = lines[target] if target < len(lines) else ""
    indent = current[: len(current) - len(current.lstrip())]
    comment, reason = comment_text(rule_id, indent, "\r\n" if "\r\n" in text else "\n")
    return Placement(target, comment, reason, whole)
