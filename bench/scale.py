"""Scale benchmark: does iaclint's cost grow linearly with the number of resources?

Run by hand (never a timed unit test):

    python bench/scale.py [--iaclint PATH] [--sizes 1000,3000,10000,30000] [--runs 3]
                          [--real DIR] [--generator PATH | --builtin-generator] [--cache DIR]
                          [--timeout S] [--skip-after S] [--jobs N] [--json OUT]

For each size N it lays out a synthetic Terraform tree of N resources (5-resource units of
``aws_iam_role``, ``aws_iam_policy`` + ``data "aws_iam_policy_document"``, role-policy
attachment, ``aws_launch_template``, ``aws_instance``; about a third of the units violate a
check), with ``../shared/tools/gen-synth-terraform.py N DIR`` beside the repository when it
exists (or ``--generator``), else with the built-in copy below, which writes the same bytes.
Trees go to a temporary directory, or to ``--cache DIR`` (``DIR/synth-N``, reused while the
generator is unchanged).

Once a size takes longer than ``--skip-after`` wall seconds (default 120), the larger sizes are
reported as "not run: too slow" instead of being run; ``--timeout`` kills a single run.
Each tree is scanned ``--runs`` times with ``iaclint check DIR -f json -o /dev/null``, in rounds:
every case once, then every case again, so that all cases' medians are taken over the same
moments (a virtual machine's speed drifts between minutes). The table gives, per size, the
median of each measure over the runs: user+sys CPU seconds, wall seconds, peak RSS in MiB, CPU
milliseconds per resource, and the local growth exponent between consecutive sizes (1.0 =
linear, 2.0 = quadratic). Exit status 1 (findings) is normal; 2 and 3 (and death by a signal)
are errors, reported with the tail of the child's stderr.

``--real DIR`` (a directory laid out by ``../shared/tools/real-repos.sh DIR``) also times one
file (``tf/iam/modules/iam-user/main.tf``), each Terraform repository under ``tf/``, the whole
``tf/`` tree and the CloudFormation set ``cfn/``.

How CPU and memory are measured: the child is started with ``subprocess.Popen`` and reaped with
``os.wait4``, whose rusage covers the child *and every descendant it has itself waited for*
(a ``multiprocessing`` or ``concurrent.futures`` process pool joins its workers, so their CPU is
included). A grandchild that is orphaned and never waited for by the child is not counted;
neither is ``resource.getrusage(RUSAGE_CHILDREN)`` able to see it. ``ru_maxrss`` is the peak
resident set of the largest *single* process in that tree, not the sum over a pool's workers.
On Linux ``ru_maxrss`` is in KiB. Wall time is ``time.perf_counter`` around start and reap.

The machine's own speed: a fixed pure-Python loop is timed the same way before each round and
after the last. On a shared virtual machine the neighbours' work slows every case by as much
as a third from one minute to the next without showing in the load average; when the loop's
timings differ by more than 15 % the report says so, as the cases' CPU seconds then do not
compare with the targets as well. cpu(10k)/cpu(1k) is the median over rounds of the two sizes'
ratio within a round, so that it compares runs seconds apart.

Targets (issue "Scale: linear cost per resource, both cores, no quadratic steps"):
10k resources <= 8 s CPU and <= 300 MiB; 30k <= 30 s CPU; cpu(10k)/cpu(1k) <= 12; one real file
<= 0.2 s CPU; the 5-repo Terraform tree <= 2.5 s wall; the CloudFormation set <= 3 s CPU.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import math
import os
import pathlib
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

REPO = pathlib.Path(__file__).resolve().parent.parent
SHARED_GENERATOR = REPO.parent / "shared" / "tools" / "gen-synth-terraform.py"
DEFAULT_SIZES = (1000, 3000, 10000, 30000)
REAL_TF_REPOS = ("ec2-instance", "autoscaling", "eks", "iam", "vpc")
REAL_CFN_SETS = ("aws-cloudformation", "awslabs")
REAL_ONE_FILE = "tf/iam/modules/iam-user/main.tf"
OK_EXIT = (0, 1)  # 1 = findings were reported, which is what a scan of these trees should do
STDERR_TAIL = 2000  # characters of a failing child's stderr kept for the report


# --- the built-in generator (mirrors shared/tools/gen-synth-terraform.py byte for byte) -------

SYNTH_VARIABLES = """variable "ami" {
  type    = string
  default = "ami-0123456789abcdef0"
}

variable "instance_type" {
  type    = string
  default = "t3.micro"
}

variable "env" {
  type    = string
  default = "synth"
}

locals {
  tags = {
    Environment = var.env
    Generator   = "synthetic"
  }
}
"""


def synth_unit(i: int) -> str:
    """Five resources that reference each other; about a third of the units violate a check."""
    bad_imds = i % 3 == 0
    bad_hops = i % 5 == 1
    star_action = i % 4 == 0
    star_resource = i % 4 == 2
    admin = i % 7 == 3
    actions = '["*"]' if star_action else '["s3:GetObject", "s3:PutObject", "iam:PassRole"]'
    resources = '["*"]' if star_resource else f'["arn:aws:s3:::bucket-{i}/*"]'
    tokens = "optional" if bad_imds else "required"
    hops = 3 if bad_hops else 1
    policy_arn = (
        '"arn:aws:iam::aws:policy/AdministratorAccess"' if admin else f"aws_iam_policy.p{i}.arn"
    )
    return f"""data "aws_iam_policy_document" "d{i}" {{
  statement {{
    sid       = "Unit{i}"
    effect    = "Allow"
    actions   = {actions}
    resources = {resources}
  }}
}}

resource "aws_iam_role" "r{i}" {{
  name = "role-{i}-${{var.env}}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Action    = "sts:AssumeRole"
      Effect    = "Allow"
      Principal = {{ Service = "ec2.amazonaws.com" }}
    }}]
  }})
  tags = local.tags
}}

resource "aws_iam_policy" "p{i}" {{
  name   = "policy-{i}"
  policy = data.aws_iam_policy_document.d{i}.json
  tags   = local.tags
}}

resource "aws_iam_role_policy_attachment" "a{i}" {{
  role       = aws_iam_role.r{i}.name
  policy_arn = {policy_arn}
}}

resource "aws_launch_template" "lt{i}" {{
  name_prefix   = "lt-{i}-"
  image_id      = var.ami
  instance_type = var.instance_type

  metadata_options {{
    http_endpoint               = "enabled"
    http_tokens                 = "{tokens}"
    http_put_response_hop_limit = {hops}
  }}

  tag_specifications {{
    resource_type = "instance"
    tags          = local.tags
  }}
}}

resource "aws_instance" "i{i}" {{
  ami           = var.ami
  instance_type = var.instance_type
  monitoring    = true
  ebs_optimized = true

  launch_template {{
    id      = aws_launch_template.lt{i}.id
    version = "$Latest"
  }}

  root_block_device {{
    encrypted = true
  }}

  tags = merge(local.tags, {{ Name = "i-{i}" }})
}}

"""


def builtin_generate(n: int, out: pathlib.Path, per_file: int = 50) -> None:
    """N resources (N // 5 units), PER_FILE resource blocks per file, plus variables.tf."""
    units = n // 5
    per_file_units = max(1, per_file // 5)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.tf"):
        old.unlink()
    (out / "variables.tf").write_text(SYNTH_VARIABLES)
    for start in range(0, units, per_file_units):
        body = "".join(synth_unit(i) for i in range(start, min(units, start + per_file_units)))
        (out / f"unit_{start // per_file_units:04d}.tf").write_text(body)


def generator_identity(generator: pathlib.Path | None) -> str:
    """What a cached tree was made with: the external generator's hash, or 'builtin'."""
    if generator is None:
        return "builtin"
    return f"{generator.resolve()} sha256:{hashlib.sha256(generator.read_bytes()).hexdigest()}"


def synth_tree(
    n: int, base: pathlib.Path, generator: pathlib.Path | None, reuse: bool
) -> pathlib.Path:
    """The directory holding the N-resource tree, generating it unless a matching copy exists."""
    out = base / f"synth-{n}"
    stamp = base / f"synth-{n}.stamp"  # beside the tree, so that iaclint never sees it
    identity = generator_identity(generator)
    if reuse and out.is_dir() and stamp.is_file() and stamp.read_text() == identity:
        return out
    stamp.unlink(missing_ok=True)
    note(f"generating {n} resources in {out} ({'built-in' if generator is None else generator})")
    if generator is None:
        builtin_generate(n, out)
    else:
        subprocess.run(
            [sys.executable, str(generator), str(n), str(out)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    stamp.write_text(identity)
    return out


# --- measuring one child process -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Run:
    exit_code: int  # negative: killed by that signal
    cpu: float  # user + sys seconds of the child and its waited-for descendants
    wall: float  # seconds
    rss_mib: float  # peak resident set of the largest process in the tree
    timed_out: bool = False
    stderr_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code in OK_EXIT and not self.timed_out


def measure(argv: Sequence[str], timeout: float | None) -> Run:
    """Run ARGV once; reap it with wait4 to get its own resource usage."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
        )
        expired = threading.Event()

        def kill() -> None:
            expired.set()
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer is not None:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: do not leave the scan running behind us
            proc.kill()
            proc.wait()
            raise
        finally:
            if timer is not None:
                timer.cancel()
        wall = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # already reaped: keep Popen from waiting again
        tail = ""
        if code not in OK_EXIT or expired.is_set():
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-STDERR_TAIL:]
    return Run(
        exit_code=code,
        cpu=usage.ru_utime + usage.ru_stime,
        wall=wall,
        rss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
        timed_out=expired.is_set(),
        stderr_tail=tail,
    )


@dataclasses.dataclass
class Case:
    """One thing scanned --runs times (a synthetic size, a real repository, a file)."""

    name: str
    path: str
    resources: int | None = None  # synthetic cases only
    runs: list[Run] = dataclasses.field(default_factory=list)
    skipped: str = ""  # why it was not run

    def good(self) -> list[Run]:
        return [r for r in self.runs if r.ok]

    def median(self, field: str) -> float | None:
        values = [float(getattr(r, field)) for r in self.good()]
        return statistics.median(values) if values else None

    @property
    def cpu(self) -> float | None:
        return self.median("cpu")

    @property
    def wall(self) -> float | None:
        return self.median("wall")

    @property
    def rss(self) -> float | None:
        return self.median("rss_mib")

    @property
    def cpu_ms_per_resource(self) -> float | None:
        cpu = self.cpu
        return None if cpu is None or not self.resources else cpu * 1000 / self.resources

    def status(self) -> str:
        if self.skipped:
            return f"not run: {self.skipped}"
        bad = [r for r in self.runs if not r.ok]
        if not bad:
            return "ok"
        first = bad[0]
        what = "timeout" if first.timed_out else f"exit {first.exit_code}"
        return f"ERROR ({what}, {len(bad)}/{len(self.runs)} runs)"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "resources": self.resources,
            "status": self.status(),
            "median": {
                "cpu_s": self.cpu,
                "wall_s": self.wall,
                "peak_rss_mib": self.rss,
                "cpu_ms_per_resource": self.cpu_ms_per_resource,
            },
            "runs": [dataclasses.asdict(r) for r in self.runs],
        }


def check_argv(iaclint: str, target: pathlib.Path, jobs: int | None = None) -> list[str]:
    jobs_flag = [] if jobs is None else ["--jobs", str(jobs)]
    return [iaclint, "check", str(target), "-f", "json", "-o", os.devnull, *jobs_flag]


def run_once(case: Case, iaclint: str, runs: int, timeout: float | None,
             jobs: int | None = None) -> None:
    """Scan ``case`` once more (its run number ``len(case.runs) + 1`` of ``runs``)."""
    note(f"{case.name}: run {len(case.runs) + 1}/{runs} ...")
    result = measure(check_argv(iaclint, pathlib.Path(case.path), jobs), timeout)
    note(
        f"{case.name}: exit {result.exit_code}, cpu {result.cpu:.2f} s, "
        f"wall {result.wall:.2f} s, rss {result.rss_mib:.0f} MiB"
        + (" (TIMEOUT)" if result.timed_out else "")
    )
    case.runs.append(result)


def run_rounds(cases: Sequence[Case], args: argparse.Namespace, speed: list[float]) -> None:
    """Run every case ``args.runs`` times, one round of all cases after another, timing the
    reference loop before each round and after the last (into ``speed``).

    Interleaving is what makes cases comparable on a virtual machine whose speed drifts from one
    minute to the next: each case's median is taken over the same moments as every other case's,
    instead of all runs of the small trees falling in a fast minute and all runs of the large
    ones in a slow one. A case whose run failed is not run again (an error repeats). A synthetic
    size whose first run took longer than ``--skip-after`` wall seconds marks the larger sizes
    "not run: too slow" before they are first run."""
    for round_number in range(args.runs):
        speed.append(reference_seconds())
        too_slow = ""
        for case in cases:
            if case.skipped:
                continue
            if too_slow and case.resources is not None:
                case.skipped = too_slow
                note(f"{case.name}: not run ({too_slow})")
                continue
            if case.runs and not case.runs[-1].ok:
                continue
            run_once(case, args.iaclint, args.runs, args.timeout, args.jobs)
            wall = case.runs[-1].wall if case.runs[-1].ok else None
            if round_number == 0 and case.resources is not None and args.skip_after and (
                    wall is None or wall > args.skip_after):
                took = "failed" if wall is None else f"took {wall:.0f} s wall"
                too_slow = f"too slow ({case.resources} {took}, > {args.skip_after:g} s)"
    speed.append(reference_seconds())


# --- targets ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Verdict:
    what: str
    target: str
    measured: str
    status: str  # PASS, FAIL, or "not measured: why"


def judge(
    what: str, value: float | None, limit: float, unit: str, absent: str = "not measured"
) -> Verdict:
    if value is None:
        return Verdict(what, f"<= {limit:g} {unit}", "-", absent)
    status = "PASS" if value <= limit else "FAIL"
    return Verdict(what, f"<= {limit:g} {unit}", f"{value:.2f} {unit}", status)


def why_absent(case: Case | None) -> str:
    if case is None:
        return "not measured"
    return case.status() if case.status() != "ok" else "not measured"


def paired_ratio(small: Case, large: Case) -> float | None:
    """The median over rounds of ``large``'s CPU / ``small``'s CPU in the same round: each
    ratio compares two runs a few seconds apart, on the same machine speed."""
    ratios = [b.cpu / a.cpu for a, b in zip(small.runs, large.runs, strict=False)
              if a.ok and b.ok and a.cpu > 0]
    return statistics.median(ratios) if ratios else None


def synthetic_verdicts(cases: dict[int, Case]) -> list[Verdict]:
    c1k, c10k, c30k = cases.get(1000), cases.get(10000), cases.get(30000)
    cpu_10k = c10k.cpu if c10k else None
    ratio = paired_ratio(c1k, c10k) if c1k and c10k else None
    return [
        judge("synthetic 10k: CPU", cpu_10k, 8, "s", why_absent(c10k)),
        judge("synthetic 10k: peak RSS", c10k.rss if c10k else None, 300, "MiB", why_absent(c10k)),
        judge("synthetic 30k: CPU", c30k.cpu if c30k else None, 30, "s", why_absent(c30k)),
        judge("cpu(10k) / cpu(1k)", ratio, 12, "x", why_absent(c10k if cpu_10k is None else c1k)),
    ]


def real_verdicts(one: Case, tree: Case, cfn: Case) -> list[Verdict]:
    return [
        judge(f"one file ({REAL_ONE_FILE}): CPU", one.cpu, 0.2, "s", why_absent(one)),
        judge("5-repo Terraform tree (tf/): wall", tree.wall, 2.5, "s", why_absent(tree)),
        judge("CloudFormation set (cfn/): CPU", cfn.cpu, 3, "s", why_absent(cfn)),
    ]


# --- output ----------------------------------------------------------------------------------


def note(message: str) -> None:
    print(f"[scale] {message}", file=sys.stderr, flush=True)


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, padded so that it also reads well in a terminal."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    return "\n".join(lines)


def exponent(small: Case, large: Case) -> float | None:
    """Local growth exponent k in cpu ~ N**k between two synthetic sizes."""
    if small.cpu is None or large.cpu is None or not small.resources or not large.resources:
        return None
    if small.cpu <= 0 or large.resources == small.resources:
        return None
    return math.log(large.cpu / small.cpu) / math.log(large.resources / small.resources)


def synthetic_table(cases: Sequence[Case]) -> str:
    rows = []
    previous: Case | None = None
    for case in cases:
        slope = exponent(previous, case) if previous is not None else None
        rows.append(
            [
                f"{case.resources}",
                fmt(case.cpu, ".2f"),
                fmt(case.wall, ".2f"),
                fmt(case.rss, ".0f"),
                fmt(case.cpu_ms_per_resource, ".3f"),
                fmt(slope, ".2f"),
                f"{len(case.good())}/{len(case.runs)}",
                case.status(),
            ]
        )
        if case.cpu is not None:
            previous = case
    header = [
        "resources",
        "cpu s",
        "wall s",
        "peak RSS MiB",
        "cpu ms/resource",
        "growth exp.",
        "good runs",
        "status",
    ]
    return table(header, rows)


def real_table(cases: Sequence[Case]) -> str:
    rows = [
        [
            case.name,
            fmt(case.cpu, ".2f"),
            fmt(case.wall, ".2f"),
            fmt(case.rss, ".0f"),
            f"{len(case.good())}/{len(case.runs)}",
            case.status(),
        ]
        for case in cases
    ]
    return table(["case", "cpu s", "wall s", "peak RSS MiB", "good runs", "status"], rows)


def verdict_table(verdicts: Sequence[Verdict]) -> str:
    return table(
        ["target", "limit", "measured", "verdict"],
        [[v.what, v.target, v.measured, v.status] for v in verdicts],
    )


def errors_text(cases: Sequence[Case]) -> str:
    parts = []
    for case in cases:
        for run in case.runs:
            if not run.ok:
                what = "timed out" if run.timed_out else f"exit {run.exit_code}"
                parts.append(f"### {case.name}: {what}\n\n```\n{run.stderr_tail.rstrip()}\n```")
                break
    return "\n\n".join(parts)


def iaclint_version(iaclint: str) -> str:
    try:
        done = subprocess.run(
            [iaclint, "version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    return (done.stdout.strip() or done.stderr.strip() or "unknown").splitlines()[0]


# --- main ------------------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from exc
    if not sizes or sizes[0] < 5:
        raise argparse.ArgumentTypeError("sizes must be integers >= 5 (one unit = 5 resources)")
    return sizes


def default_iaclint() -> str:
    beside = pathlib.Path(sys.executable).parent / "iaclint"
    return shutil.which("iaclint") or str(beside)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Scale benchmark of iaclint (CPU, wall, RSS vs. resources).",
        epilog="Exit status: 0 when every measured target passes, 1 when one fails or a run "
        "errs, 2 on bad arguments.",
    )
    parser.add_argument("--iaclint", default=default_iaclint(), help="the iaclint executable")
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated resource counts (default: %(default)s)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per case; medians are shown")
    parser.add_argument("--real", type=pathlib.Path, help="a tree laid out by real-repos.sh")
    parser.add_argument(
        "--generator",
        type=pathlib.Path,
        help=f"synthetic tree generator (default: {SHARED_GENERATOR} if present, "
        "else the built-in one)",
    )
    parser.add_argument(
        "--builtin-generator",
        action="store_true",
        help="use the built-in generator even if the shared one exists",
    )
    parser.add_argument(
        "--cache", type=pathlib.Path, help="keep generated trees here (DIR/synth-N) and reuse them"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="kill a run after this many wall seconds (default: never)",
    )
    parser.add_argument(
        "--skip-after",
        type=float,
        default=120.0,
        help="skip larger synthetic sizes once one takes longer than this many "
        "wall seconds (default: %(default)s; 0 = never skip)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="pass --jobs N to iaclint (default: iaclint's own default, one process; "
        "0 = one per core for a scan of 16+ units)",
    )
    parser.add_argument("--json", type=pathlib.Path, dest="json_out", help="write numbers here")
    return parser


def pick_generator(args: argparse.Namespace) -> pathlib.Path | None:
    if args.builtin_generator:
        return None
    if args.generator is not None:
        generator: pathlib.Path = args.generator
        return generator
    return SHARED_GENERATOR if SHARED_GENERATOR.is_file() else None


def argument_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the arguments beyond their syntax (None: nothing)."""
    if args.runs < 1:
        return "--runs must be >= 1"
    if shutil.which(args.iaclint) is None:
        return f"iaclint not found or not executable: {args.iaclint}"
    if args.generator is not None and not args.generator.is_file():
        return f"--generator {args.generator} does not exist"
    real: pathlib.Path | None = args.real
    if real is not None and not (real / "tf").is_dir() and not (real / "cfn").is_dir():
        return f"--real {real} has neither tf/ nor cfn/ (lay it out with real-repos.sh)"
    return None


@contextlib.contextmanager
def tree_base(cache: pathlib.Path | None) -> Iterator[pathlib.Path]:
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        yield cache
        return
    with tempfile.TemporaryDirectory(prefix="iaclint-scale-") as tmp:
        yield pathlib.Path(tmp)


def synthetic_cases(args: argparse.Namespace, generator: pathlib.Path | None,
                    base: pathlib.Path) -> list[Case]:
    """A case per ``--sizes`` entry, its tree laid out under ``base``."""
    cases: list[Case] = []
    for n in args.sizes:
        case = Case(name=f"synthetic {n}", path="", resources=n // 5 * 5)
        case.path = str(synth_tree(n, base, generator, reuse=args.cache is not None))
        cases.append(case)
    return cases


REAL_ONE_FILE_CASE = "one file (iam-user/main.tf)"
REAL_TREE_CASE = "tf/ (5 repos)"
REAL_CFN_CASE = "cfn/ (both sets)"


def real_cases(real: pathlib.Path) -> list[Case]:
    """The cases ``--real DIR`` adds: one file, each Terraform repository, the tf/ tree, each
    CloudFormation set and both together (a missing path is reported, not run)."""
    wanted = [(REAL_ONE_FILE_CASE, REAL_ONE_FILE)]
    wanted += [(f"tf/{repo}", f"tf/{repo}") for repo in REAL_TF_REPOS]
    wanted.append((REAL_TREE_CASE, "tf"))
    wanted += [(f"cfn/{cfn_set}", f"cfn/{cfn_set}") for cfn_set in REAL_CFN_SETS]
    wanted.append((REAL_CFN_CASE, "cfn"))
    cases = []
    for name, rel in wanted:
        path = real / rel
        case = Case(name=name, path=str(path))
        if not path.exists():
            case.skipped = f"missing: {path}"
        cases.append(case)
    return cases


def real_verdicts_of(cases: Sequence[Case]) -> list[Verdict]:
    by_name = {c.name: c for c in cases}
    return real_verdicts(by_name[REAL_ONE_FILE_CASE], by_name[REAL_TREE_CASE],
                         by_name[REAL_CFN_CASE])


# --- the machine's own speed ----------------------------------------------------------------

# a fixed piece of pure-Python work, run in a child process like the cases: on a quiet machine of
# the class it takes about 0.84 s of CPU; a virtual machine whose neighbours are busy runs
# it (and every case) slower, which the load average does not show
REFERENCE_LOOP = "s = 0\nfor i in range(10**7):\n    s += i\n"
SPEED_CHANGE = 0.15  # the loop's timings spread by more than this: say the speed changed


def reference_seconds() -> float:
    """CPU seconds of ``REFERENCE_LOOP`` in a fresh interpreter (start-up included, ~0.02 s)."""
    return measure([sys.executable, "-c", REFERENCE_LOOP], timeout=None).cpu


def speed_warning(speed: Sequence[float]) -> str | None:
    """A warning when the reference loop's CPU time varied by more than ``SPEED_CHANGE``
    during the benchmark: rounds run at different moments ran on a different machine."""
    if len(speed) < 2 or min(speed) <= 0 or max(speed) / min(speed) - 1 <= SPEED_CHANGE:
        return None
    timings = ", ".join(f"{t:.2f}" for t in speed)
    return (f"Warning: the machine's speed changed during the benchmark (reference loop "
            f"{timings} s): a case's runs in different rounds ran at different speeds, and its "
            "median is only as good as the quieter rounds; run again on a quieter machine.")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    problem = argument_problem(args)
    if problem is not None:
        parser.error(problem)  # exits with status 2
    generator = pick_generator(args)
    version = iaclint_version(args.iaclint)
    started = time.time()
    load_before = os.getloadavg()
    speed: list[float] = []  # the reference loop before each round and after the last
    with tree_base(args.cache) as base:
        synthetic = synthetic_cases(args, generator, base)
        repos: list[Case] = [] if args.real is None else real_cases(args.real)
        run_rounds([*synthetic, *repos], args, speed)
    by_size = {c.resources: c for c in synthetic if c.resources is not None}
    verdicts = synthetic_verdicts(by_size)
    if repos:
        verdicts += real_verdicts_of(repos)
    load_after = os.getloadavg()

    cpus = os.cpu_count() or 1
    header = (
        f"iaclint scale benchmark — {args.iaclint} ({version}); "
        f"{platform.machine()}, {cpus} CPUs; scale.py on Python {platform.python_version()}; "
        f"{args.runs} run(s) per case, medians; "
        f"generator: {'built-in' if generator is None else generator}; "
        f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(started))}; "
        f"load average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"reference loop {', '.join(f'{t:.2f}' for t in speed)} s CPU before each round and "
        "after the last (about 0.84 s on a quiet 2-core machine of the issue's class)"
    )
    out = [header]
    if max(load_before[0], load_after[0]) > cpus / 2:
        out += [
            "",
            "Warning: the machine was busy with other work (load average above half the CPUs):"
            " wall times are inflated; CPU seconds are the figures to compare.",
        ]
    changed = speed_warning(speed)
    if changed is not None:
        out += ["", changed]
    out += ["", "## Synthetic Terraform", "", synthetic_table(synthetic)]
    if repos:
        out += ["", f"## Real repositories ({args.real})", "", real_table(repos)]
    out += ["", "## Targets", "", verdict_table(verdicts)]
    errors = errors_text([*synthetic, *repos])
    if errors:
        out += ["", "## Errors", "", errors]
    print("\n".join(out))

    if args.json_out is not None:
        report = {
            "iaclint": args.iaclint,
            "version": version,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "runs": args.runs,
            "generator": "builtin" if generator is None else str(generator),
            "started": started,
            "loadavg_before": list(load_before),
            "loadavg_after": list(load_after),
            "reference_loop_cpu_s": speed,
            "synthetic": [c.to_json() for c in synthetic],
            "real": [c.to_json() for c in repos],
            "targets": [dataclasses.asdict(v) for v in verdicts],
        }
        args.json_out.write_text(json.dumps(report, indent=2) + "\n")
    failed = any(v.status == "FAIL" for v in verdicts)
    errored = any(
        r.exit_code not in OK_EXIT or r.timed_out for c in [*synthetic, *repos] for r in c.runs
    )
    return 1 if failed or errored else 0


if __name__ == "__main__":
    raise SystemExit(main())
