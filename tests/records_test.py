"""``@record`` behaves as ``@dataclass(frozen=True)`` does for equality, hashing and repr."""

from __future__ import annotations

import dataclasses
import pickle
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from linter.records import mutable, record, replace


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


@record(slots=True)
class OwnInit:
    first: int
    second: int = 0

    if not TYPE_CHECKING:  # as linter.model.Span writes its own

        def __init__(self, first, second=0):
            self.first = first
            self.second = second or first


@record
class Defaults:
    items: list[str] = dataclasses.field(default_factory=list)
    label: str = "x"
    cache: dict[str, int] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False)
    self: int = 0  # a field may be called self


def test_an_init_written_in_the_class_is_kept() -> None:
    assert OwnInit(3).second == 3
    assert OwnInit(3, 4).second == 4


def test_defaults_factories_and_fields_outside_init() -> None:
    one, two = Defaults(), Defaults()
    assert one.items == []
    assert one.items is not two.items
    assert one.cache == {}
    assert one.cache is not two.cache
    assert Defaults(["a"], "y", self=2) == Defaults(items=["a"], label="y", self=2)
    assert repr(Defaults(["a"])) == "Defaults(items=['a'], label='x', self=0)"
    assert [f.name for f in dataclasses.fields(Defaults)] == ["items", "label", "cache", "self"]
    assert dataclasses.asdict(Defaults(["a"])) == {
        "items": ["a"], "label": "x", "cache": {}, "self": 0}
    assert Defaults.__match_args__ == ("items", "label", "self")
    with pytest.raises(TypeError):
        Defaults(cache={})  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Defaults([], "x", 0, 1)  # type: ignore[call-arg]


def test_what_dataclass_rejects_is_rejected() -> None:
    with pytest.raises(ValueError, match="mutable default"):
        record(type("Bad", (), {"__annotations__": {"items": "list[str]"}, "items": []}))
    with pytest.raises(TypeError, match="non-default argument"):
        record(type("Bad", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 1}))
    with pytest.raises(TypeError, match="overwrite attribute __lt__"):
        record(order=True)(type("Bad", (), {"__annotations__": {"a": "int"},
                                            "__lt__": lambda s, o: True}))


def test_class_variables_are_not_fields() -> None:
    @record
    class WithClassVar:
        shared: ClassVar[int] = 3
        own: int = 1

    assert [f.name for f in dataclasses.fields(WithClassVar)] == ["own"]
    assert WithClassVar.shared == 3
    assert WithClassVar(2).own == 2


def test_ordered_records_compare_only_with_their_own_class() -> None:
    assert Ordered(1) < Ordered(2)
    assert Ordered(2) >= Ordered(2)
    assert Ordered(1) <= Ordered(1)
    assert Ordered(3, "b") > Ordered(3, "a")
    assert not Ordered(2) < Ordered(1)
    assert not Ordered(1) >= Ordered(2)
    assert not Ordered(2) <= Ordered(1)
    assert not Ordered(3, "a") > Ordered(3, "b")
    with pytest.raises(TypeError):
        assert Ordered(1) < (1, "")  # type: ignore[operator]


@mutable
class State:
    name: str
    seen: list[str] = dataclasses.field(default_factory=list)


@mutable(eq=False, slots=True)
class Node:
    value: int


def test_mutable_records_are_dataclasses_that_may_change() -> None:
    state = State("a")
    state.seen.append("x")
    state.name = "b"
    assert state == State("b", ["x"])
    assert state != State("b")
    assert State.__hash__ is None
    assert repr(state) == "State(name='b', seen=['x'])"
    assert dataclasses.replace(state, name="c") == State("c", ["x"])
    first, second = Node(1), Node(1)
    assert first != second  # eq=False: identity, and hashable by it
    assert len({first, second}) == 2
    assert not hasattr(first, "__dict__")


def test_replace_copies_values_and_applies_changes_as_dataclasses_does() -> None:
    value = Plain("a", 2, "note", ("e",))
    changed = replace(value, count=3)
    assert changed == dataclasses.replace(value, count=3)
    assert changed.note == "note"
    assert value.count == 2
    assert replace(Slotted("x"), only="y") == Slotted("y")
    assert replace(OwnInit(3), first=5) == OwnInit(5, 3)  # its own __init__ runs
    with pytest.raises(TypeError, match="unexpected keyword argument 'nothing'"):
        replace(value, nothing=1)
    with pytest.raises(ValueError, match="init=False"):
        replace(Defaults(), cache={})
    state = State("a", ["x"])
    copied = replace(state, name="b")
    assert copied == State("b", ["x"])
    assert copied.seen is state.seen  # shallow, as dataclasses.replace


def test_replace_does_not_carry_attributes_beside_the_fields() -> None:
    value = Plain("a")
    value.__dict__["cached"] = 1  # as functools.cached_property would store it
    assert "cached" not in replace(value, count=1).__dict__
