"""The hostile-input cases of issue 15, one builder per row of its table, and how to run one.

The builders are those of the measuring harness (``hostile.py``/``cases.py`` of the issue):
each takes ``(scan_root, outside_dir)`` -- two existing, empty, sibling directories -- writes the
case and returns a :class:`Case`. ``run_case`` runs ``iaclint check`` in process (the CLI's
``main``, every output format in one run) with the scan root as working directory and a private
rule cache, and ``assert_contained`` checks what every row must hold: no internal error, no raw
credential (in any letter case) and no byte from outside the root in any output, the good
file's finding still reported, and every watched resource named by a finding, a note or an
unknown verdict.

Every scan root holds ``good.tf`` (or ``case.good``): an ``aws_instance`` with
``http_tokens = "optional"``, on which iaclint reports IAC0101. A hostile file must not make that
finding disappear.

The credentials planted here are random and fake, but shaped like real ones (an AKIA id of 16
base32 characters that is not a mask or the AWS documentation example, and a 40-character base64
secret mixing upper, lower and digits/``/+``), so iaclint treats them as real.
"""

from __future__ import annotations

import base64
import json
import os
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

KEY_ID = "AKIAPIMV3POLW7LHQIAZ"
SECRET = "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"
MARKER = "OUTSIDE_MARKER_Q7ZK3"
"""Lives only in files outside the scan root (or in the tampered rule cache): must never be
printed."""

GOOD_FILE = "good.tf"
GOOD_TF = """\
resource "aws_instance" "good" {
  ami           = "ami-12345678"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "optional"
  }
}
"""

CacheHook = Callable[[Path], str]
"""Called with the private home directory after a warm-up run (and again before every measured
run); tampers with the rule cache found there and returns a note saying what it did."""


@dataclass(frozen=True)
class Case:
    title: str
    expect: str
    """What a hardened build should do."""
    args: tuple[str, ...] = (".",)
    """Arguments after ``iaclint check`` (before ``-f FMT``), run with the scan root as cwd."""
    good: str = GOOD_FILE
    """Path (relative to the scan root) whose IAC0101 finding must still be reported."""
    as_nobody: bool = False
    """Run as an unprivileged user (file permissions mean nothing to root)."""
    watch: tuple[str, ...] = ()
    """Resource names (or paths) that a finding, a tool note or an unknown verdict must mention."""
    judge: tuple[str, ...] = ()
    """Resource names on which an IAC0101 finding is expected (a subset of ``watch``)."""
    needles: tuple[str, ...] = ()
    """Extra strings (besides KEY_ID and SECRET) that must not appear in any output."""
    env: Mapping[str, str] = field(default_factory=dict)
    cache_hook: CacheHook | None = None


# ---------------------------------------------------------------- helpers


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_good(root: Path, rel: str = GOOD_FILE) -> str:
    write(root / rel, GOOD_TF)
    return rel


def tf_instance(name: str, tokens: str, extra: str = "") -> str:
    """An ``aws_instance`` whose ``http_tokens`` is the HCL expression ``tokens``."""
    return (
        f'resource "aws_instance" "{name}" {{\n'
        f'  ami           = "ami-12345678"\n'
        f'  instance_type = "t3.micro"\n'
        f"{extra}"
        f"  metadata_options {{\n"
        f"    http_tokens = {tokens}\n"
        f"  }}\n"
        f"}}\n"
    )


def provider_with_keys() -> str:
    return (
        'provider "aws" {\n'
        '  region     = "us-east-1"\n'
        f'  access_key = "{KEY_ID}"\n'
        f'  secret_key = "{SECRET}"\n'
        "}\n"
    )


def cfn_instance(name: str, extra: str = "", properties: str = "") -> str:
    """A CloudFormation ``AWS::EC2::Instance`` without MetadataOptions (IAC0101 applies)."""
    return (
        f"  {name}:\n"
        f"    Type: AWS::EC2::Instance\n"
        f"{extra}"
        f"    Properties:\n"
        f"      ImageId: ami-12345678\n"
        f"      InstanceType: t3.micro\n"
        f"{properties}"
    )


CFN_HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\n'


def yaml_alias_bomb(indent: str = "", levels: int = 9, width: int = 9) -> str:
    """The classic "billion laughs": ``width ** levels`` leaves from a few hundred bytes."""
    names = "abcdefghijklmnopqrstuvwxyz"
    leaves = ", ".join(['"lol"'] * width)
    lines = [f"{indent}a: &a [{leaves}]"]
    for i in range(1, levels):
        refs = ", ".join([f"*{names[i - 1]}"] * width)
        lines.append(f"{indent}{names[i]}: &{names[i]} [{refs}]")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- 1-7: confinement


def case_symlink_outside(root: Path, outside: Path) -> Case:
    write_good(root)
    target = write(outside / "creds.tf",
                   provider_with_keys() + tf_instance(MARKER.lower(), f'"{MARKER}"'))
    (root / "creds.tf").symlink_to(target)
    return Case("creds.tf -> file outside the root (provider keys + marker)",
                "not read (skipped, ideally with a note); no marker, no key in any output")


def case_dev_zero(root: Path, outside: Path) -> Case:
    write_good(root)
    (root / "zero.tf").symlink_to("/dev/zero")
    return Case("zero.tf -> /dev/zero", "skipped (outside the root / not a regular file), fast")


def case_symlink_loop(root: Path, outside: Path) -> Case:
    write_good(root)
    (root / "d").mkdir()
    (root / "d" / "x").symlink_to("x")  # ln -s x d/x: d/x points at itself
    return Case("symlink loop d/x -> x", "ignored; the rest of the scan unaffected")


def case_fifo_yaml(root: Path, outside: Path) -> Case:
    write_good(root)
    os.mkfifo(root / "x.yaml")
    return Case("FIFO named x.yaml", "not opened (not a regular file); no hang")


def case_fifo_tfvars(root: Path, outside: Path) -> Case:
    write_good(root)
    os.mkfifo(root / "x.tfvars")
    return Case("FIFO named x.tfvars", "not opened (not a regular file); no hang")


def case_var_file_outside(root: Path, outside: Path) -> Case:
    write_good(root)
    var_file = write(outside / "outside.tfvars", f'tokens = "{MARKER}"\n')
    write(root / ".iaclint.yaml", f"var-files: [{json.dumps(str(var_file))}]\n")
    write(root / "vars.tf", 'variable "tokens" {\n  type = string\n}\n\n'
          + tf_instance("from_var", "var.tokens"))
    return Case(".iaclint.yaml var-files: [/abs/outside.tfvars] (marker value)",
                "a config inside the repo cannot read files outside it: refused with a note; "
                "no marker", watch=("from_var",))


def case_explicit_unreadable(root: Path, outside: Path) -> Case:
    good = write_good(root, "dir/good.tf")
    write(root / "unreadable" / "x.tf", tf_instance("hidden", '"optional"'))
    (root / "unreadable").chmod(0)
    return Case("explicit file in an unreadable dir (pre-commit style), non-root",
                "good finding kept; IAC0001/IAC0004 naming unreadable/x.tf; no crash",
                args=("dir/good.tf", "unreadable/x.tf"), good=good, as_nobody=True,
                watch=("unreadable/x.tf",))


def case_unreadable_subdir(root: Path, outside: Path) -> Case:
    write_good(root)
    write(root / "locked_subdir" / "x.tf", tf_instance("hidden", '"optional"'))
    (root / "locked_subdir").chmod(0)
    return Case("unreadable subdirectory (chmod 000), non-root",
                "good finding kept; a note naming locked_subdir/ (not silently skipped)",
                as_nobody=True, watch=("locked_subdir",))


# ---------------------------------------------------------------- 8-10: no lost findings


def _cfn_condition_case(root: Path, conditions: str, condition: str, title: str) -> Case:
    write_good(root)
    write(root / "template.yaml",
          CFN_HEAD + conditions + "Resources:\n"
          + cfn_instance("WatchedInstance", extra=f"    Condition: {condition}\n"))
    return Case(title, "WatchedInstance judged (IAC0101) or named by an IAC0004 note / unknown",
                watch=("WatchedInstance",))


def case_condition_malformed(root: Path, outside: Path) -> Case:
    return _cfn_condition_case(root, "Conditions:\n  IsProd: !Equals [a]\n", "IsProd",
                               "CFN condition malformed (!Equals [a]) on an instance")


def case_condition_undefined(root: Path, outside: Path) -> Case:
    return _cfn_condition_case(root, "", "Missing", "CFN condition undefined on an instance")


def case_condition_cyclic(root: Path, outside: Path) -> Case:
    return _cfn_condition_case(
        root, "Conditions:\n  A: !Not [!Condition B]\n  B: !Not [!Condition A]\n", "A",
        "CFN condition cyclic (A <-> B) on an instance")


def case_foreach(root: Path, outside: Path) -> Case:
    write_good(root)
    write(root / "foreach.yaml", CFN_HEAD + (
        "Transform: AWS::LanguageExtensions\n"
        "Resources:\n"
        "  Fn::ForEach::Instances:\n"
        "    - Name\n"
        "    - [Alpha, Beta]\n"
        "    - ForEach${Name}:\n"
        "        Type: AWS::EC2::Instance\n"
        "        Properties:\n"
        "          ImageId: ami-12345678\n"
        "          InstanceType: t3.micro\n"
    ))
    names = ("ForEachAlpha", "ForEachBeta")
    return Case("AWS::LanguageExtensions Fn::ForEach of instances without IMDSv2",
                "ForEachAlpha and ForEachBeta get IAC0101", watch=names, judge=names)


def case_utf16(root: Path, outside: Path) -> Case:
    write_good(root)
    text = CFN_HEAD + "Resources:\n" + cfn_instance("Utf16Instance")
    (root / "utf16.yaml").write_bytes(text.encode("utf-16"))  # little-endian with a BOM
    return Case("UTF-16 (BOM) template, instance without IMDSv2",
                "decoded and judged (IAC0101), or an IAC0001 note naming the file",
                watch=("Utf16Instance",), judge=("Utf16Instance",))


# ---------------------------------------------------------------- 11-18: bounded evaluation


def _count_case(root: Path, count: int) -> Case:
    write_good(root)
    write(root / "many.tf", tf_instance("many_instances", '"optional"', f"  count = {count}\n"))
    return Case(f"count = {count} on one resource",
                "bounded time/memory; judged once or a note", watch=("many_instances",))


def case_count_1e6(root: Path, outside: Path) -> Case:
    return _count_case(root, 1_000_000)


def case_count_1e5(root: Path, outside: Path) -> Case:
    return _count_case(root, 100_000)


def case_format_width(root: Path, outside: Path) -> Case:
    write_good(root)
    write(root / "fmt.tf", tf_instance("wide_format", 'format("%9999999999d", 1)'))
    return Case('format("%9999999999d", 1)', "value too large -> unknown/note; bounded",
                watch=("wide_format",))


def case_doubling_locals(root: Path, outside: Path) -> Case:
    write_good(root)
    lines = ["locals {", f'  l00 = "{"a" * 256}"']
    lines += [f'  l{i:02d} = "${{local.l{i - 1:02d}}}${{local.l{i - 1:02d}}}"'
              for i in range(1, 25)]
    lines.append("}")
    write(root / "double.tf", "\n".join(lines) + "\n\n" + tf_instance("doubled", "local.l24"))
    return Case("24 locals each doubling a 256-char string (4 GiB)",
                "value too large -> unknown/note; bounded", watch=("doubled",))


def case_nested_for(root: Path, outside: Path) -> Case:
    write_good(root)
    write(root / "grid.tf", (
        "locals {\n"
        '  grid = flatten([for i in range(1000) : [for j in range(1000) : "${i}-${j}"]])\n'
        "}\n\n"
    ) + tf_instance("grid_flatten", 'length(local.grid) == 1000000 ? "optional" : "required"'))
    return Case("nested for 1000x1000 + flatten", "bounded; judged or unknown",
                watch=("grid_flatten",))


def case_yamldecode_bomb(root: Path, outside: Path) -> Case:
    write_good(root)
    bomb = yaml_alias_bomb("    ")
    write(root / "bomb.tf", (
        "locals {\n"
        "  bomb = yamldecode(<<-EOT\n"
        f"{bomb}"
        "  EOT\n"
        "  )\n"
        "}\n\n"
    ) + tf_instance("yaml_bomb", 'length(jsonencode(local.bomb)) > 0 ? "optional" : "required"'))
    return Case("yamldecode of an alias bomb in a heredoc",
                "alias expansion bounded -> unknown/note", watch=("yaml_bomb",))


def case_regex_redos(root: Path, outside: Path) -> Case:
    write_good(root)
    write(root / "redos.tf", tf_instance("redos", f'regex("(a+)+$", "{"a" * 40}!")'))
    return Case('regex("(a+)+$", 40 a\'s + "!")',
                "linear-time (RE2 semantics) or bounded -> unknown", watch=("redos",))


def case_sub_region(root: Path, outside: Path) -> Case:
    write_good(root)
    template = "${AWS::Region}" * 20_000
    write(root / "sub.yaml", CFN_HEAD + "Resources:\n" + cfn_instance(
        "SubRegion", properties=f'      MetadataOptions:\n        HttpTokens: !Sub "{template}"\n'))
    return Case("!Sub with 20k ${AWS::Region}", "linear; judged (unknown tokens) or note",
                watch=("SubRegion",))


def case_sub_nested(root: Path, outside: Path) -> Case:
    """Fn::Sub 7 levels deep, each level's text naming the inner level 10 times: 10**7 inner
    evaluations (and a 10 MB value) when each reference re-evaluates its variable."""
    write_good(root)
    value: object = "x"
    for level in range(1, 8):
        name = f"L{level}"
        value = {"Fn::Sub": [("${" + name + "}") * 10, {name: value}]}
    instance = {"Type": "AWS::EC2::Instance", "Properties": {
        "ImageId": "ami-12345678", "MetadataOptions": {"HttpTokens": value}}}
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"NestedSub": instance}}
    write(root / "nested.json", json.dumps(template, separators=(",", ":")))
    return Case("Fn::Sub nested 7 levels x 10 refs (~700-byte file)",
                "each variable evaluated once; size bounded -> unknown/note",
                watch=("NestedSub",))


def _base64_blob(size: int) -> str:
    rng = random.Random(0)
    return base64.b64encode(rng.randbytes(size * 3 // 4)).decode("ascii")[:size]


def case_long_line(root: Path, outside: Path) -> Case:
    write_good(root)
    blob = _base64_blob(10 * 1024 * 1024)
    write(root / "long.tf", tf_instance("long_line", '"optional"', f'  user_data = "{blob}"\n'))
    return Case("one 10 MB line in a .tf", "bounded; judged", watch=("long_line",),
                judge=("long_line",))


def case_big_file(root: Path, outside: Path) -> Case:
    write_good(root)
    target = 20 * 1024 * 1024
    parts: list[str] = []
    size = 0
    i = 0
    while size < target:
        block = (f'resource "aws_s3_bucket" "b{i:06d}" {{\n'
                 f'  bucket = "bucket-{i:06d}"\n'
                 f'  tags = {{\n    Name  = "bucket-{i:06d}"\n    Owner = "team-{i % 97}"\n'
                 f'    Notes = "{"n" * 100}"\n  }}\n}}\n\n')
        parts.append(block)
        size += len(block)
        i += 1
    write(root / "big.tf", "".join(parts))
    return Case(f"a 20 MB .tf ({i} resources)", "bounded (or skipped with a note)")


def case_config_alias_bomb(root: Path, outside: Path) -> Case:
    write_good(root)
    write(root / ".iaclint.yaml", yaml_alias_bomb(levels=8)
          + f"exclude: [{', '.join(['*h'] * 9)}]\n")
    return Case("alias bomb in .iaclint.yaml", "config error (exit 2) fast; no expansion")


# ---------------------------------------------------------------- 19-23: redaction, caches


def _keys_case(root: Path, flag: str, rule: str) -> Case:
    write_good(root)
    write(root / "provider.tf", provider_with_keys())
    return Case(f"{flag} {rule} with keys in a provider block",
                "keys never printed raw, whichever rules run", args=(".", flag, rule))


def case_select_101(root: Path, outside: Path) -> Case:
    return _keys_case(root, "--select", "IAC0101")


def case_ignore_401(root: Path, outside: Path) -> Case:
    return _keys_case(root, "--ignore", "IAC0401")


def case_yaml_error_on_keys(root: Path, outside: Path) -> Case:
    write_good(root)
    write(root / "broken.yaml", CFN_HEAD + "Resources:\n" + cfn_instance(
        "KeysInstance",
        properties=(f'      UserData: "AWS_ACCESS_KEY_ID={KEY_ID}"'
                    f" AWS_SECRET_ACCESS_KEY={SECRET}\n")))
    return Case("YAML syntax error on the line holding the keys (CFN)",
                "IAC0001 for broken.yaml with the line redacted")


def case_secret_echoed(root: Path, outside: Path) -> Case:
    write_good(root)
    write(root / "echo.tf", f'variable "secret" {{\n  default = "{SECRET}"\n}}\n\n'
          + tf_instance("echo_secret", "var.secret"))
    return Case("secret default echoed by IAC0101 (http_tokens = var.secret)",
                "IAC0101 on echo with the value redacted (raw and lowercased)",
                watch=("echo_secret",), judge=("echo_secret",), needles=(SECRET.lower(),))


def _cache_entries(home: Path) -> list[tuple[Path, object]]:
    """Every JSON file below ``home`` (the rule cache lives there)."""
    found: list[tuple[Path, object]] = []
    for path in sorted(home.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        try:
            found.append((path, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue
    return found


def blank_cache(home: Path) -> str:
    entries = _cache_entries(home)
    for path, _data in entries:
        path.write_text("{}", encoding="utf-8")
    return f"overwrote {len(entries)} cache entries with {{}}"


def _rule_data(entry: object) -> dict[str, object] | None:
    """The rule held by a cache entry: the entry itself (older caches) or its ``data``."""
    if isinstance(entry, dict) and entry.get("id") == "IAC0101":
        return entry
    if isinstance(entry, dict) and isinstance(entry.get("data"), dict) and (
            entry["data"].get("id") == "IAC0101"):
        data: dict[str, object] = entry["data"]
        return data
    return None


def tamper_iac0101(home: Path) -> str:
    changed = 0
    for path, entry in _cache_entries(home):
        data = _rule_data(entry)
        if data is None:
            continue
        data["severity"] = "note"
        message = str(data.get("message", ""))
        if MARKER not in message:
            data["message"] = f"{MARKER} {message}"
        path.write_text(json.dumps(entry), encoding="utf-8")
        changed += 1
    return f"IAC0101 entries set to severity note + marker in message: {changed}"


def case_cache_blank(root: Path, outside: Path) -> Case:
    write_good(root)
    return Case("rule cache entries overwritten with {} (well-formed, wrong shape)",
                "entries re-validated (ignored); same findings as without a cache",
                cache_hook=blank_cache)


def case_cache_tampered(root: Path, outside: Path) -> Case:
    write_good(root)
    return Case("rule cache entry of IAC0101 edited (severity note, marker in message)",
                "cache bound to content (or re-validated): IAC0101 stays error, no marker",
                cache_hook=tamper_iac0101)


def case_pyproject_string(root: Path, outside: Path) -> Case:
    write_good(root)
    write(root / "pyproject.toml", '[tool]\niaclint = "string"\n')
    return Case('pyproject.toml [tool] iaclint = "string"',
                "config error (exit 2) naming pyproject.toml, or ignored; no crash")


CASES: dict[str, Callable[[Path, Path], Case]] = {
    "1": case_symlink_outside,
    "2": case_dev_zero,
    "3": case_symlink_loop,
    "4a": case_fifo_yaml,
    "4b": case_fifo_tfvars,
    "5": case_var_file_outside,
    "6": case_explicit_unreadable,
    "7": case_unreadable_subdir,
    "8a": case_condition_malformed,
    "8b": case_condition_undefined,
    "8c": case_condition_cyclic,
    "9": case_foreach,
    "10": case_utf16,
    "11a": case_count_1e6,
    "11b": case_count_1e5,
    "12": case_format_width,
    "13a": case_doubling_locals,
    "13b": case_nested_for,
    "14": case_yamldecode_bomb,
    "15": case_regex_redos,
    "16a": case_sub_region,
    "16b": case_sub_nested,
    "17a": case_long_line,
    "17b": case_big_file,
    "18": case_config_alias_bomb,
    "19a": case_select_101,
    "19b": case_ignore_401,
    "20": case_yaml_error_on_keys,
    "21": case_secret_echoed,
    "22a": case_cache_blank,
    "22b": case_cache_tampered,
    "23": case_pyproject_string,
}


# ---------------------------------------------------------------- running a case in process

FORMATS = ("json", "text", "sarif", "junit", "github")


@dataclass
class Outcome:
    """One run of ``iaclint check`` over a case: every format's output, stderr, exit code."""

    case: Case
    code: int
    outputs: dict[str, str]
    stderr: str
    root: Path

    @property
    def report(self) -> dict[str, object]:
        doc: dict[str, object] = json.loads(self.outputs["json"])
        return doc

    def entries(self) -> list[dict[str, object]]:
        """Findings, tool findings (notes) and unknown verdicts of the JSON report."""
        doc = self.report
        out: list[dict[str, object]] = []
        for section in ("findings", "errors", "unknown"):
            items = doc.get(section, [])
            assert isinstance(items, list)
            out.extend(items)
        return out

    def rules_on(self, name: str, section: str = "findings") -> set[str]:
        items = self.report.get(section, [])
        assert isinstance(items, list)
        return {str(e["rule"]) for e in items if name in json.dumps(e, ensure_ascii=False)}

    def notes(self) -> list[str]:
        errors = self.report.get("errors", [])
        assert isinstance(errors, list)
        return [f"{e['rule']} {e['file']}: {e['message']}" for e in errors]


def build(case_id: str, tmp_path: Path) -> tuple[Case, Path, Path]:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    return CASES[case_id](root, outside), root, outside


def run_case(case_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> Outcome:
    """Build the case and run ``iaclint check ARGS`` with every format, in process."""
    from linter.cli import main

    case, root, _ = build(case_id, tmp_path)
    cache = tmp_path / "cache"
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(cache))
    monkeypatch.delenv("IACLINT_NO_CACHE", raising=False)
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(root)
    out = tmp_path / "out"
    out.mkdir()
    argv = ["check", *case.args]
    for fmt in FORMATS:
        argv += ["-f", fmt, "-o", str(out / fmt)]
    if case.cache_hook is not None:
        main(["check", *case.args, "-f", "json", "-o", str(out / "warm")])
        case.cache_hook(cache)
    capsys.readouterr()
    code = main(argv)
    stderr = capsys.readouterr().err
    outputs = {fmt: (out / fmt).read_text(encoding="utf-8") if (out / fmt).exists() else ""
               for fmt in FORMATS}
    return Outcome(case, code, outputs, stderr, root)


def assert_contained(outcome: Outcome, *, exit_codes: tuple[int, ...] = (1,)) -> None:
    """What every row must hold (see the module docstring)."""
    assert outcome.code in exit_codes, (outcome.code, outcome.stderr)
    assert "internal error" not in outcome.stderr
    needles = [KEY_ID, SECRET, MARKER, *outcome.case.needles]
    for fmt, text in [*outcome.outputs.items(), ("stderr", outcome.stderr)]:
        folded = text.lower()
        for needle in needles:
            assert needle.lower() not in folded, f"{needle[:4]}… printed in {fmt}"
    if outcome.code == 2:
        return
    findings = outcome.report["findings"]
    assert isinstance(findings, list)
    good = [e for e in findings if e["rule"] == "IAC0101" and e["file"] == outcome.case.good]
    assert good, "the good file's IAC0101 was lost"
    assert all(e["severity"] == "error" for e in good)
    for fmt, text in outcome.outputs.items():
        assert "IAC0101" in text, f"nothing reported in {fmt}"
    entries = outcome.entries()
    for name in outcome.case.watch:
        assert any(name in json.dumps(e, ensure_ascii=False) for e in entries), (
            f"{name} disappeared without a finding, note or unknown verdict")
    for name in outcome.case.judge:
        assert "IAC0101" in outcome.rules_on(name), f"{name} was not judged"
