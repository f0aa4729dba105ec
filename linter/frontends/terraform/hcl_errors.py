"""Readable syntax-error messages for HCL, from python-hcl2 (imported only for broken files).

tree-sitter says *where* a file stopped making sense; python-hcl2 (a Lark LALR parser) says
*what* it expected there. ``describe`` turns its exception into one line such as
``unexpected '}'; expected one of: identifier, '"', '[', '{', number``.
"""

from __future__ import annotations

from linter.records import record

_TERMINALS = {
    "$END": "end of file",
    "DBLQUOTE": "'\"'",
    "LSQB": "'['",
    "RSQB": "']'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "COLON": "':'",
    "EQ": "'='",
    "DOT": "'.'",
    "QMARK": "'?'",
    "NOT": "'!'",
    "MINUS": "'-'",
    "ELLIPSIS": "'...'",
    "FOR_OBJECT_ARROW": "'=>'",
    "NAME": "identifier",
    "INT_LITERAL": "number",
    "FLOAT_LITERAL": "number",
    "DECIMAL": "number",
    "TRUE": "true",
    "FALSE": "false",
    "NULL": "null",
    "IF": "if",
    "ELSE": "else",
    "IN": "in",
    "FOR": "for",
    "FOR_EACH": "for",
    "ENDIF": "endif",
    "ENDFOR": "endfor",
    "NL_OR_COMMENT": "newline",
    "NEWLINE": "newline",
    "STRING_CHARS": "string text",
    "STRING_CHARS_DIRECTIVE": "string text",
    "TEMPLATE_STRING": "string",
    "STRING_LIT": "string",
    "HEREDOC_TEMPLATE": "heredoc",
    "HEREDOC_TEMPLATE_TRIM": "heredoc",
    "INTERP_START": "'${'",
    "DIRECTIVE_START": "'%{'",
    "ESCAPED_INTERPOLATION": "'$${'",
    "ESCAPED_DIRECTIVE": "'%%{'",
}
_MAX_EXPECTED = 10
_EXPRESSION_STARTS = frozenset({"NAME", "DBLQUOTE", "LSQB", "LBRACE"})


@record
class Hcl2Error:
    message: str
    line: int | None  # 1-based, None when python-hcl2 did not say
    column: int | None


def hcl2_error(text: str) -> Hcl2Error | None:
    """python-hcl2's verdict on ``text``: None when it parses, else its error in one line."""
    try:
        import hcl2

        hcl2.loads(text)
    except Exception as exc:  # any failure of the oracle is a message, never a crash
        return describe(exc)
    return None


def describe(exc: BaseException) -> Hcl2Error:
    token = getattr(exc, "token", None)
    char = getattr(exc, "char", None)
    expected = getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ()
    line = _position(getattr(exc, "line", None))
    column = _position(getattr(exc, "column", None))
    if token is not None:
        kind = getattr(token, "type", "")
        if kind == "$END":
            head = "unexpected end of file"
        elif _terminal(kind).startswith("'"):
            head = f"unexpected {_terminal(kind)}"
        else:
            head = f"unexpected {_terminal(kind)} {_excerpt(str(token))}"
    elif char is not None:
        head = f"unexpected character {_excerpt(str(char))}"
    else:
        first = str(exc).strip().splitlines()
        head = first[0] if first else type(exc).__name__
    names = sorted({_terminal(name) for name in expected})
    if set(expected) >= _EXPRESSION_STARTS:
        names = ["an expression"]
    if names:
        shown = ", ".join(names[:_MAX_EXPECTED]) + (", …" if len(names) > _MAX_EXPECTED else "")
        head += f"; expected one of: {shown}"
    return Hcl2Error(head, line, column)


def _terminal(name: str) -> str:
    if name in _TERMINALS:
        return _TERMINALS[name]
    if name.startswith("__ANON") or not name:
        return "token"
    return name.lower().replace("_", " ")


def _excerpt(value: str) -> str:
    value = value.strip() or value
    first = value.splitlines()[0] if value.splitlines() else value
    if len(first) > 30:
        first = first[:30] + "…"
    return repr(first)


def _position(value: object) -> int | None:
    return value if isinstance(value, int) and value > 0 else None
