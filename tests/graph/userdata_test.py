from __future__ import annotations

import base64
import gzip

from linter.graph.userdata import UserData, decode, owner_restriction, restriction_of
from tests.graph.graph_builders import cfn, cfn_ref, graph_of, ref, tf

RULE = ("iptables --append OUTPUT --proto tcp --destination 169.254.169.254 "
        "--match owner ! --uid-owner app-user --jump REJECT")


def _restricts(text: str) -> tuple[str, ...] | None:
    found = owner_restriction(UserData(tf("aws_instance.a"), ("user_data",), text))
    return found.owners if found is not None else None


def test_decode_plain_base64_and_gzip() -> None:
    text = "#!/bin/bash\necho hi\n"
    assert decode(text) == text
    assert decode(base64.b64encode(text.encode()).decode()) == text
    assert decode(base64.b64encode(gzip.compress(text.encode())).decode()) == text
    assert decode(None) is None


def test_owner_match_forms() -> None:
    assert _restricts(f"#!/bin/bash\n{RULE}\n") == ("app-user",)
    short = ("sudo iptables -A OUTPUT -p tcp -d 169.254.169.254/32 "
             "-m owner ! --uid-owner 1001 -j DROP")
    assert _restricts(short) == ("1001",)
    continued = ("iptables -A OUTPUT -d 169.254.169.254 \\\n  -m owner ! --gid-owner web \\\n"
                 "  -j REJECT")
    assert _restricts(continued) == ("web",)
    pair = ("iptables -A OUTPUT -d 169.254.169.254 -m owner --uid-owner app -j ACCEPT\n"
            "iptables -A OUTPUT -d 169.254.169.254 -j REJECT\n")
    assert _restricts(pair) == ("app",)
    nft = "nft add rule inet filter output ip daddr 169.254.169.254 meta skuid != 1001 reject"
    assert _restricts(nft) == ("1001",)


def test_rules_that_do_not_restrict() -> None:
    assert _restricts("iptables -A OUTPUT -d 169.254.169.254 -j REJECT") is None  # no owner
    inbound = "iptables -A INPUT -d 169.254.169.254 -m owner ! --uid-owner a -j DROP"
    assert _restricts(inbound) is None
    assert _restricts("# iptables -A OUTPUT -d 169.254.169.254 -m owner ! --uid-owner a -j DROP"
                      ) is None
    assert _restricts("iptables -A OUTPUT -d 10.0.0.1 -m owner ! --uid-owner a -j DROP") is None


def test_instance_inherits_template_user_data() -> None:
    encoded = base64.b64encode(RULE.encode()).decode()
    template = tf("aws_launch_template.lt", {"user_data": encoded})
    instance = tf("aws_instance.a", {"launch_template": [{"id": ref(template.address)}]})
    found = restriction_of(graph_of(template, instance), instance)
    assert found is not None
    assert found.user_data.resource is template
    cfn_instance = cfn("I", "AWS::EC2::Instance", {"UserData": encoded})
    assert restriction_of(graph_of(cfn_instance), cfn_instance) is not None
    bare = cfn("J", "AWS::EC2::Instance", {"LaunchTemplate": {"LaunchTemplateId": cfn_ref("X")}})
    assert restriction_of(graph_of(bare), bare) is None
