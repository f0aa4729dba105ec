"""Budgets of one evaluation unit (a Terraform root module, a CloudFormation template).

``metering(budgets, label)`` makes a ``Meter`` current for the evaluation of one unit; the
evaluators ask it before doing anything whose cost the input controls (``tick`` on every step,
``string``/``collection`` before producing a value, ``instances`` for ``count``/``for_each``). A
value past a budget raises ``BudgetExceeded``, which the evaluators turn into an Unknown at that
expression (``try()``/``can()`` do not catch it: it is no Terraform error); the meter remembers
where, and the front end reports one IAC0004 note per budget and place naming the budget by its
configuration key (``budgets: {string-length: …}``). Once the time budget is spent every further
step is Unknown at once, so the unit still finishes quickly and its resources are all emitted.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

from linter.model import Finding, Span
from linter.options import Budgets
from linter.records import record
from linter.rule import EVALUATION_NOTE, tool_finding

_CHECK_EVERY = 64  # ticks between two looks at the clock
MAX_NOTES = 20  # per unit: a repetitive file gets a few notes, not thousands


class BudgetExceeded(Exception):
    """A value would pass a budget; ``key`` is the budget's configuration key."""

    def __init__(self, key: str, limit: float, what: str) -> None:
        self.key = key
        self.limit = limit
        self.what = what
        super().__init__(self.message)

    @property
    def message(self) -> str:
        limit = f"{self.limit:g}" if isinstance(self.limit, float) else str(self.limit)
        return f"{self.what} passes the budget {self.key} ({limit})"


@record
class Exceeded:
    key: str
    message: str
    span: Span | None


class Meter:
    """The budgets of one unit while it is evaluated, and where they were exceeded."""

    def __init__(self, budgets: Budgets, label: str = "", timed: bool = True) -> None:
        self.budgets = budgets
        self.label = label  # "module infra/prod", "template stack.yaml"
        self.deadline = time.monotonic() + budgets.seconds if timed else float("inf")
        self.expired = False
        self.exceeded: list[Exceeded] = []
        self._ticks = 0
        self._produced = 0
        self._loops: list[int] = []

    def tick(self) -> None:
        """One evaluation step; raises once the unit's time is spent."""
        self._ticks += 1
        if self.expired or (self._ticks % _CHECK_EVERY == 0
                            and time.monotonic() > self.deadline):
            self.expired = True
            raise BudgetExceeded(Budgets.key("seconds"), self.budgets.seconds,
                                 f"evaluating {self.label or 'this unit'}")

    def string(self, length: int, what: str = "a string") -> None:
        if length > self.budgets.string_length:
            raise BudgetExceeded(Budgets.key("string_length"), self.budgets.string_length,
                                 f"{what} of {length} characters")

    def iterating(self, length: int, what: str) -> _Iterating:
        """A loop over ``length`` elements, inside the loops being run: nested loops multiply,
        and the product is held to the collection budget before the first iteration."""
        return _Iterating(self, length, what)

    def detached(self) -> _Detached:
        """A value computed once whatever loop first asks for it (a local, a module output):
        the loops around the first reference do not multiply its own."""
        return _Detached(self)

    def produced(self, length: int) -> None:
        """``length`` more characters produced by this unit's evaluation."""
        self._produced += length
        if self._produced > self.budgets.produced_length:
            raise BudgetExceeded(Budgets.key("produced_length"), self.budgets.produced_length,
                                 f"strings of {self._produced} characters in all")

    def collection(self, length: int, what: str = "a collection") -> None:
        if length > self.budgets.collection_length:
            raise BudgetExceeded(Budgets.key("collection_length"),
                                 self.budgets.collection_length,
                                 f"{what} of {length} elements")

    def decoded(self, nodes: int, what: str) -> None:
        if nodes > self.budgets.decode_nodes:
            raise BudgetExceeded(Budgets.key("decode_nodes"), self.budgets.decode_nodes,
                                 f"{what} of more than {self.budgets.decode_nodes} nodes")

    def instances(self, count: int, what: str) -> None:
        if count > self.budgets.instances:
            raise BudgetExceeded(Budgets.key("instances"), self.budgets.instances,
                                 f"{what} with {count} instances")

    def depth(self, depth: int, what: str) -> None:
        if depth > self.budgets.intrinsic_depth:
            raise BudgetExceeded(Budgets.key("intrinsic_depth"), self.budgets.intrinsic_depth,
                                 f"{what} nested {depth} deep")

    def record(self, exc: BudgetExceeded, span: Span | None) -> str:
        """Remember where ``exc`` happened; the reason an Unknown there gives."""
        entry = Exceeded(exc.key, exc.message, span)
        if len(self.exceeded) < MAX_NOTES and entry not in self.exceeded:
            self.exceeded.append(entry)
        return f"not evaluated: {exc.message}"

    def notes(self, fallback: Span) -> list[Finding]:
        """One IAC0004 note per budget exceeded and place."""
        out: list[Finding] = []
        for entry in self.exceeded:
            message = (f"{entry.message}; the value is Unknown (raise budgets.{entry.key} in "
                       "the configuration to evaluate it)")
            out.append(tool_finding(EVALUATION_NOTE, message, entry.span or fallback))
        return out


_CURRENT: contextvars.ContextVar[Meter | None] = contextvars.ContextVar("iaclint_meter",
                                                                        default=None)
_UNTIMED = Meter(Budgets(), timed=False)


def meter() -> Meter:
    """The meter of the unit being evaluated (outside any unit: the default budgets, untimed)."""
    current = _CURRENT.get()
    return current if current is not None else _UNTIMED


class _Iterating:
    """``Meter.iterating``: a class, not a generator, as it is entered for every ``for``
    expression and the generator's machinery cost more than the loop's bookkeeping."""

    __slots__ = ("_length", "_meter", "_what")

    def __init__(self, meter: Meter, length: int, what: str) -> None:
        self._meter, self._length, self._what = meter, length, what

    def __enter__(self) -> None:
        meter = self._meter
        loops = meter._loops
        total = loops[-1] * max(self._length, 1) if loops else max(self._length, 1)
        meter.collection(total, self._what)
        loops.append(total)

    def __exit__(self, *_exc: object) -> None:
        self._meter._loops.pop()


class _Detached:
    """``Meter.detached``, entered for every local and output computed."""

    __slots__ = ("_meter", "_saved")

    def __init__(self, meter: Meter) -> None:
        self._meter = meter
        self._saved: list[int] = []

    def __enter__(self) -> None:
        self._saved, self._meter._loops = self._meter._loops, []

    def __exit__(self, *_exc: object) -> None:
        self._meter._loops = self._saved


@contextlib.contextmanager
def metering(budgets: Budgets, label: str) -> Iterator[Meter]:
    """Make a new meter current while one unit is evaluated."""
    current = Meter(budgets, label)
    token = _CURRENT.set(current)
    try:
        yield current
    finally:
        _CURRENT.reset(token)
