"""``@record`` behaves as ``@dataclass(frozen=True)`` does for equality, hashing and repr."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest

from linter.records import record


@record
class Plain:
    name: str
    count: int = 0
    note: Any = dataclasses.field(default=None, compare=False, hash=False, repr=False)
    extra: tuple[str, ...] = dataclasses.field(default=(), hash=False)


@dataclasses.dataclass(frozen=True)
class Reference:
    name: str
    count: int = 0
    note: Any = dataclasses.field(default=None, compare=False, hash=False, repr=False)
    extra: tuple[str, ...] = dataclasses.field(default=(), hash=False)


@record(slots=True)
class Slotted:
    only: str


@record
class Empty:
    pass


@record
class Own:
    value: int

    def __repr__(self) -> str:
        return "mine"


@record(order=True)
class Ordered:
    a: int
    b: str = ""


@pytest.mark.parametrize(("left", "right"), [
    (("a", 1, "x", ("e",)), ("a", 1, "y", ("e",))),  # a field outside comparison
    (("a", 1, None, ()), ("a", 2, None, ())),
    (("a", 1, None, ("e",)), ("a", 1, None, ("f",))),  # compared, not hashed
    (("a", 1, None, ()), ("b", 1, None, ())),
])
def test_equality_and_hash_agree_with_a_frozen_dataclass(
        left: tuple[Any, ...], right: tuple[Any, ...]) -> None:
    ours, theirs = (Plain(*left), Plain(*right)), (Reference(*left), Reference(*right))
    assert (ours[0] == ours[1]) == (theirs[0] == theirs[1])
    assert (ours[0] != ours[1]) == (theirs[0] != theirs[1])
    assert (hash(ours[0]) == hash(ours[1])) == (hash(theirs[0]) == hash(theirs[1]))
    assert repr(ours[0]).replace("Plain", "Reference") == repr(theirs[0])


def test_other_classes_and_subclass_instances_are_never_equal() -> None:
    other: object = Reference("a")
    assert Plain("a") != other
    as_tuple: object = ("a", 0)
    assert Plain("a") != as_tuple
    assert Plain("a").__eq__(("a",)) is NotImplemented


def test_one_field_none_and_slots() -> None:
    assert Slotted("x") == Slotted("x")
    assert hash(Slotted("x")) == hash(Slotted("x"))
    assert Slotted("x") != Slotted("y")
    assert repr(Slotted("x")) == "Slotted(only='x')"
    assert not hasattr(Slotted("x"), "__dict__")
    assert Empty() == Empty()
    assert hash(Empty()) == hash(Empty())
    assert repr(Empty()) == "Empty()"


def test_methods_written_in_the_class_are_kept() -> None:
    assert repr(Own(1)) == "mine"
    assert Own(1) == Own(1)


def test_ordered_records_sort_by_their_fields() -> None:
    assert sorted([Ordered(2), Ordered(1, "b"), Ordered(1, "a")]) == [
        Ordered(1, "a"), Ordered(1, "b"), Ordered(2)]


def test_records_pickle_and_replace() -> None:
    value = Plain("a", 2, "note", ("e",))
    assert pickle.loads(pickle.dumps(value)) == value
    assert dataclasses.replace(value, count=3) == Plain("a", 3, "note", ("e",))
    assert pickle.loads(pickle.dumps(Slotted("x"))) == Slotted("x")
