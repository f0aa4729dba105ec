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
            return dataclass(target, unsafe_hash=True, order=order, slots=slots)

        return make if cls is None else make(cls)
