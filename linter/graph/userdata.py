"""User data of a workload, decoded, and the firewall rule that keeps IMDS to one OS user.

The documented mitigation (AWS EC2 User Guide, "Limit access to the instance metadata service")
is a local firewall rule that rejects traffic to 169.254.169.254 from every process except one
user's, e.g.::

    iptables --append OUTPUT --proto tcp --destination 169.254.169.254 \\
        --match owner ! --uid-owner app-user --jump REJECT

Accepted forms: ``iptables``/``iptables-legacy``/``iptables-nft`` in the ``OUTPUT`` chain with an
owner match negated (``! --uid-owner`` / ``! --gid-owner``) and a ``REJECT``/``DROP`` target; an
``ACCEPT`` for the owner followed by a ``REJECT``/``DROP`` of all other traffic to the address;
and the nftables equivalent (``meta skuid != … reject|drop`` with ``daddr 169.254.169.254``).

User data is read as evaluated: plain text, base64 (``user_data_base64``, ``base64encode()``,
``Fn::Base64``, launch template ``user_data``), gzip inside base64 (``base64gzip()``). When the
evaluator could not compute the value, the expression text is searched (the rule is normally a
literal line of a heredoc or template).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import shlex

from linter.graph.graph import Graph
from linter.graph.launch import template_of
from linter.model import Path, Resource, Unknown
from linter.records import record
from linter.regex import lazy

_USER_DATA_PATHS: dict[str, tuple[Path, ...]] = {
    "aws_instance": (("user_data",), ("user_data_base64",)),
    "aws_launch_template": (("user_data",),),
    "aws_launch_configuration": (("user_data",), ("user_data_base64",)),
    "AWS::EC2::Instance": (("Properties", "UserData"),),
    "AWS::EC2::LaunchTemplate": (("Properties", "LaunchTemplateData", "UserData"),),
    "AWS::AutoScaling::LaunchConfiguration": (("Properties", "UserData"),),
}
METADATA_ADDRESS = "169.254.169.254"
_BASE64 = lazy(r"^[A-Za-z0-9+/\s]+={0,2}\s*$")


@record
class UserData:
    resource: Resource  # where it is written (the workload or its launch template)
    path: Path
    text: str  # decoded


@record
class OwnerRestriction:
    """IMDS is reachable only by the named OS users/groups, per a firewall rule in user data."""

    user_data: UserData
    owners: tuple[str, ...]
    line: str  # the rule as written

    def describe(self) -> str:
        who = ", ".join(self.owners) or "one user"
        return (f"user data of {self.user_data.resource.address} limits {METADATA_ADDRESS} to "
                f"{who} with a firewall owner match")


def decode(value: object) -> str | None:
    """User data text: decoded from base64 (and gzip) when it is base64, else as written."""
    if isinstance(value, Unknown):
        return value.expression
    if not isinstance(value, str):
        return None
    compact = "".join(value.split())
    if compact and len(compact) % 4 == 0 and _BASE64.match(value):
        try:
            raw = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            return value
        if raw[:2] == b"\x1f\x8b":
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError):
                return value
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return value
    return value


def user_data_of(graph: Graph, workload: Resource) -> UserData | None:
    """The user data instances of ``workload`` run (an instance without its own inherits its
    launch template's)."""
    for path in _USER_DATA_PATHS.get(workload.type, ()):
        text = decode(workload.get(path))
        if text is not None:
            return UserData(workload, path, text)
    if workload.type in ("aws_instance", "AWS::EC2::Instance"):
        spec = template_of(graph, workload)
        if spec is not None and spec.target.found:
            return user_data_of(graph, spec.target.targets[0])
    return None


def _logical_lines(text: str) -> list[str]:
    return [line.strip() for line in re.sub(r"\\\r?\n", " ", text).splitlines()]


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:
        return line.split()


def _option(words: list[str], *names: str) -> tuple[str | None, bool]:
    """The value after the first of ``names`` and whether a ``!`` precedes the option."""
    for index, word in enumerate(words):
        if word in names and index + 1 < len(words):
            return words[index + 1], index > 0 and words[index - 1] == "!"
    return None, False


def _iptables(words: list[str]) -> dict[str, object] | None:
    commands = [i for i, w in enumerate(words)
                if re.fullmatch(r"(?:.*/)?iptables(?:-legacy|-nft)?", w)]
    if not commands:
        return None
    words = words[commands[0] + 1:]
    chain, _ = _option(words, "-A", "--append", "-I", "--insert")
    destination, _ = _option(words, "-d", "--destination", "--dst")
    target, _ = _option(words, "-j", "--jump")
    owner, negated = _option(words, "--uid-owner", "--gid-owner")
    if chain != "OUTPUT" or destination is None or METADATA_ADDRESS not in destination:
        return None
    return {"target": (target or "").upper(), "owner": owner, "negated": negated}


def owner_restriction(user_data: UserData) -> OwnerRestriction | None:
    """The firewall rule limiting IMDS to some users, if the user data installs one."""
    accepted: list[tuple[str, str]] = []
    for line in _logical_lines(user_data.text):
        if METADATA_ADDRESS not in line:
            continue
        words = _words(line)
        rule = _iptables(words)
        if rule is not None:
            owner, target = rule["owner"], rule["target"]
            if isinstance(owner, str) and rule["negated"] and target in ("REJECT", "DROP"):
                return OwnerRestriction(user_data, (owner,), line)
            if isinstance(owner, str) and not rule["negated"] and target == "ACCEPT":
                accepted.append((owner, line))
            elif owner is None and target in ("REJECT", "DROP") and accepted:
                return OwnerRestriction(user_data, tuple(o for o, _ in accepted), line)
            continue
        nft = re.search(r"\bskuid\s*!=\s*(\S+).*\b(reject|drop)\b", line)
        if nft and re.search(r"\bdaddr\s+169\.254\.169\.254\b", line) and "nft" in line:
            return OwnerRestriction(user_data, (nft.group(1).strip("{}"),), line)
    return None


def restriction_of(graph: Graph, workload: Resource) -> OwnerRestriction | None:
    user_data = user_data_of(graph, workload)
    return owner_restriction(user_data) if user_data is not None else None
