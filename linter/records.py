"""Immutable records: frozen dataclasses to the type checker, plain ones at run time.

``@record`` is ``@record`` as mypy sees it (PEP 681 ``dataclass_transform``:
assigning to a field of a record is a type error, and ``mypy --strict`` runs in CI), with
value equality and a hash of the fields. At run time it is ``@dataclass(unsafe_hash=True)``:
the same ``__init__``, ``__eq__``, ``__hash__`` and ``__repr__``, without the ``__setattr__``
guard of a frozen dataclass, whose ``__init__`` goes through ``object.__setattr__`` for every
field. The guard made each instance three times as slow to create (a scan of 10,000 resources
creates about a million spans, syntax nodes and findings) and each class twice as slow to
define (a seventh of a one-file run's start-up).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, overload

T = TypeVar("T")

if TYPE_CHECKING:
    from dataclasses import Field, field

    from typing_extensions import dataclass_transform

    @overload
    @dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
    def record(cls: type[T], /) -> type[T]: ...

    @overload
    def record(*, order: bool = False, slots: bool = False) -> Callable[[type[T]], type[T]]: ...

    def record(cls: type[T] | None = None, /, *, order: bool = False, slots: bool = False
               ) -> Any: ...

else:
    def record(cls=None, /, *, order=False, slots=False):
        def make(target):
            if order:  # ordering methods come from dataclasses, which needs its __eq__ then
                return dataclass(target, unsafe_hash=True, order=True, slots=slots)
            made = dataclass(target, eq=False, repr=False, slots=slots)
            _add_value_methods(made)
            return made

        return make if cls is None else make(cls)


def _add_value_methods(cls: type) -> None:
    """``__eq__``, ``__hash__`` and ``__repr__`` as ``dataclass`` would write them for a frozen
    class (the fields' values compared and hashed as one tuple, by class; ``Name(a=1, b='x')``),
    shared functions over one ``attrgetter`` per class instead of source text compiled for
    every class: that compilation was a quarter of a one-file run's start-up."""
    from dataclasses import fields

    every = fields(cls)
    compared = _values_of([f.name for f in every if f.compare])
    hashed = _values_of([f.name for f in every if (f.compare if f.hash is None else f.hash)])
    shown = tuple(f.name for f in every if f.repr)

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    def __repr__(self: Any) -> str:
        inside = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inside})"

    own = cls.__dict__
    explicit_hash = own.get("__hash__") is not None or (
        "__hash__" in own and "__eq__" not in own)
    for method in (__eq__, __hash__, __repr__):
        name = method.__name__
        if (name in own and name != "__hash__") or (name == "__hash__" and explicit_hash):
            continue  # written in the class body: kept, as dataclass keeps it
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)


def _values_of(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of ``names`` of an object, as a tuple (also for none or one name)."""
    if len(names) >= 2:
        return attrgetter(*names)
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda target: (one(target),)
    return lambda _target: ()
