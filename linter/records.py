"""Immutable records: frozen dataclasses to the type checker, plain ones at run time.

``@record`` is ``@record`` as mypy sees it (PEP 681 ``dataclass_transform``:
assigning to a field of a record is a type error, and ``mypy --strict`` runs in CI), with
value equality and a hash of the fields. At run time it is ``@dataclass(unsafe_hash=True)``:
the same ``__init__``, ``__eq__``, ``__hash__`` and ``__repr__``, without the ``__setattr__``
guard of a frozen dataclass, whose ``__init__`` goes through ``object.__setattr__`` for every
field. The guard made each instance three times as slow to create (a scan of 10,000 resources
creates about a million spans, syntax nodes and findings) and each class twice as slow to
define (a seventh of a one-file run's start-up).

Nor does a record class go through ``dataclass`` when it is defined: its fields are read from
the annotations directly (``__dataclass_fields__`` holds ``dataclasses.Field`` objects as
``dataclass`` makes them, so ``fields``, ``replace``, ``asdict`` and pickling work as for a
dataclass), and its ``__init__`` is compiled on the first instance. A one-file scan imports
about a hundred record classes and creates instances of fewer than half; ``dataclass`` itself
(its source text compiled per class, a signature worked out for every class without a
docstring) was a third of that scan's CPU time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import MISSING, Field
from operator import attrgetter, ge, gt, le, lt
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, get_origin, overload

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

    @overload
    @dataclass_transform(field_specifiers=(field, Field))
    def mutable(cls: type[T], /) -> type[T]: ...

    @overload
    def mutable(*, eq: bool = True, slots: bool = False) -> Callable[[type[T]], type[T]]: ...

    def mutable(cls: type[T] | None = None, /, *, eq: bool = True, slots: bool = False
                ) -> Any: ...

else:
    def record(cls=None, /, *, order=False, slots=False):
        def make(target):
            made = _build(target, slots)
            _add_value_methods(made, hashable=True)
            if order:
                _add_order_methods(made)
            return made

        return make if cls is None else make(cls)

    def mutable(cls=None, /, *, eq=True, slots=False):
        """``@dataclass`` (``eq`` and ``slots`` as there), made as records are: fields that
        may be assigned, equal by value when ``eq``, unhashable then."""
        def make(target):
            made = _build(target, slots)
            _add_value_methods(made, hashable=False, eq=eq)
            return made

        return make if cls is None else make(cls)


def _build(cls: type, slots: bool) -> type:
    """``cls`` with its fields, slots if asked, and an ``__init__`` compiled on first use."""
    made = _with_fields(cls)
    if slots:
        made = _with_slots(made)
    if "__init__" not in made.__dict__:  # one written in the class is kept
        made.__init__ = _compiled_on_first_use(made)  # type: ignore[misc]
        fields: dict[str, Field[Any]] = getattr(made, "__dataclass_fields__")  # noqa: B009
        if all(spec.init for spec in fields.values()):  # then replace() may copy values
            _COPIED[made] = (frozenset(fields), not slots)
    return made


def _add_value_methods(cls: type, hashable: bool, eq: bool = True) -> None:
    """``__eq__``, ``__hash__`` and ``__repr__`` as ``dataclass`` would write them for a frozen
    class (the fields' values compared and hashed as one tuple, by class; ``Name(a=1, b='x')``),
    shared functions over one ``attrgetter`` per class instead of source text compiled for
    every class: that compilation was a quarter of a one-file run's start-up. Not
    ``hashable`` (a mutable class): ``__hash__`` is None where ``__eq__`` is written, as
    ``dataclass`` leaves it; not ``eq``: only ``__repr__``."""
    every = dataclasses.fields(cls)
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
    methods: tuple[Callable[..., Any], ...] = (__eq__, __hash__, __repr__) if eq else (__repr__,)
    for method in methods:
        name = method.__name__
        if (name in own and name != "__hash__") or (name == "__hash__" and explicit_hash):
            continue  # written in the class body: kept, as dataclass keeps it
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method if hashable or name != "__hash__" else None)


def _add_order_methods(cls: type) -> None:
    """``<``, ``<=``, ``>`` and ``>=`` as ``dataclass(order=True)`` writes them: the compared
    fields' values as one tuple, for two instances of the same class only."""
    compared = _values_of([f.name for f in dataclasses.fields(cls) if f.compare])
    for name, test in (("__lt__", lt), ("__le__", le), ("__gt__", gt), ("__ge__", ge)):
        if name in cls.__dict__:
            raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}. "
                            "Consider using functools.total_ordering")
        method = _order_method(compared, test)
        method.__name__, method.__qualname__ = name, f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)


def _order_method(compared: Callable[[Any], tuple[Any, ...]],
                  test: Callable[[Any, Any], bool]) -> Callable[[Any, object], Any]:
    """One ordering method: ``test`` (``operator.lt``, …) over both instances' compared
    values, for two instances of the same class only."""

    def method(self: Any, other: object) -> Any:
        if other.__class__ is self.__class__:
            return test(compared(self), compared(other))
        return NotImplemented

    return method


def _values_of(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of ``names`` of an object, as a tuple (also for none or one name)."""
    if len(names) >= 2:
        return attrgetter(*names)
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda target: (one(target),)
    return lambda _target: ()


_FIELD: Any = getattr(dataclasses, "_FIELD")  # noqa: B009  the marker ``fields()`` selects by
_UNSUPPORTED = ("InitVar", "dataclasses.InitVar", "KW_ONLY", "dataclasses.KW_ONLY")


def _with_fields(cls: type) -> type:
    """Read ``cls``'s fields from its own annotations into ``__dataclass_fields__`` as
    ``dataclass`` does (class variables skipped; a plain default or a ``field(...)``; class
    attributes left as ``dataclass`` leaves them), and check what ``dataclass`` checks."""
    if any(hasattr(base, "__dataclass_fields__") for base in cls.__mro__[1:]):
        raise TypeError(f"@record {cls.__qualname__}: records do not inherit from dataclasses")
    own = cls.__dict__
    found: dict[str, Field[Any]] = {}
    defaulted = ""
    for name, kind in own.get("__annotations__", {}).items():
        if _is_class_var(kind):
            continue
        if kind in _UNSUPPORTED or (isinstance(kind, str) and kind.startswith("InitVar")) or (
                not isinstance(kind, str) and kind.__class__ is dataclasses.InitVar):
            raise TypeError(f"@record {cls.__qualname__}.{name}: InitVar and KW_ONLY are not "
                            "supported")
        value = own.get(name, MISSING)
        spec: Field[Any] = value if isinstance(value, Field) else dataclasses.field(default=value)
        spec.name, spec.type = name, kind
        spec._field_type = _FIELD  # type: ignore[attr-defined]
        if getattr(spec, "kw_only", False) is MISSING:
            spec.kw_only = False
        if spec.default is not MISSING and spec.default.__class__.__hash__ is None:
            raise ValueError(f"mutable default {type(spec.default)} for field {name} is not "
                             "allowed: use default_factory")
        if isinstance(value, Field):  # the class attribute becomes the default, or goes
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        if spec.init:
            if spec.default is not MISSING or spec.default_factory is not MISSING:
                defaulted = name
            elif defaulted:
                raise TypeError(f"non-default argument {name!r} follows default argument "
                                f"{defaulted!r} in @record {cls.__qualname__}")
        found[name] = spec
    setattr(cls, "__dataclass_fields__", found)  # noqa: B010
    setattr(cls, "__match_args__",  # noqa: B010
            tuple(name for name, spec in found.items() if spec.init))
    return cls


def _is_class_var(kind: object) -> bool:
    """Whether an annotation (a string under ``from __future__ import annotations``) is
    ``ClassVar`` or ``ClassVar[...]``."""
    if isinstance(kind, str):
        head = kind.partition("[")[0].strip()
        return head in ("ClassVar", "typing.ClassVar")
    return kind is ClassVar or get_origin(kind) is ClassVar


def _with_slots(cls: type) -> type:
    """``cls`` remade with ``__slots__`` for its fields, as ``dataclass(slots=True)`` does."""
    if "__slots__" in cls.__dict__:
        raise TypeError(f"@record {cls.__qualname__} already specifies __slots__")
    names = tuple(getattr(cls, "__dataclass_fields__"))  # noqa: B009
    body = dict(cls.__dict__)
    for name in (*names, "__dict__", "__weakref__"):
        body.pop(name, None)
    body["__slots__"] = names
    made = type(cls)(cls.__name__, cls.__bases__, body)
    made.__qualname__ = cls.__qualname__
    return made


def _compiled_on_first_use(cls: type) -> Callable[..., None]:
    """An ``__init__`` that compiles the real one for ``cls``, puts it in its place and runs
    it: classes of which a run makes no instance never compile theirs."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        real = _init_of(cls)
        cls.__init__ = real  # type: ignore[misc]
        real(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _init_of(cls: type) -> Callable[..., None]:
    """``cls.__init__`` as ``dataclass`` writes it: the fields in order, each a positional or
    keyword parameter, defaults and default factories as given."""
    fields: dict[str, Field[Any]] = getattr(cls, "__dataclass_fields__")  # noqa: B009
    given: dict[str, Any] = {"__factory__": _FACTORY}
    parameters, lines = ["__self__"], []  # a field may be called self
    for index, (name, spec) in enumerate(fields.items()):
        if spec.default_factory is not MISSING:
            given[f"__f{index}"] = spec.default_factory
            if spec.init:
                parameters.append(f"{name}=__factory__")
                lines.append(
                    f"  __self__.{name} = __f{index}() if {name} is __factory__ else {name}")
            else:
                lines.append(f"  __self__.{name} = __f{index}()")
        elif spec.default is not MISSING:
            given[f"__d{index}"] = spec.default
            if spec.init:
                parameters.append(f"{name}=__d{index}")
                lines.append(f"  __self__.{name} = {name}")
            else:
                lines.append(f"  __self__.{name} = __d{index}")
        elif spec.init:
            parameters.append(name)
            lines.append(f"  __self__.{name} = {name}")
    names = ", ".join(given)
    source = (f"def __make__({names}):\n def __init__({', '.join(parameters)}):\n"
              + "\n".join(" " + line for line in lines or ["  pass"])
              + "\n return __init__\n")
    scope: dict[str, Any] = {}
    exec(source, {}, scope)
    made: Callable[..., None] = scope["__make__"](**given)
    made.__qualname__ = f"{cls.__qualname__}.__init__"
    return made


class _Factory:
    """The default of a parameter whose field has a default factory."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def replace(obj: T, /, **changes: Any) -> T:
    """``dataclasses.replace`` for records and mutable records at half its cost for the
    usual class (its ``__init__`` the generated one, every field an argument of it): the
    instance's values, ``changes`` over them, passed to ``__init__`` by name. Any other class
    goes to ``dataclasses.replace``."""
    cls = obj.__class__
    copied = _COPIED.get(cls)
    if copied is None or not changes.keys() <= copied[0]:
        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]  # or its error
    names, in_dict = copied
    if not in_dict:
        return cls(**{name: changes[name] if name in changes else getattr(obj, name)
                      for name in names})
    values = obj.__dict__
    if len(values) != len(names):  # something beside the fields: not copied
        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    # through __init__, whose instances share their dicts' keys (a dict assigned to __dict__
    # would not, and take three times the memory)
    return cls(**{**values, **changes})


# the classes ``replace`` copies: their field names, and whether instances hold them in a dict
# (not slots); a class with its own ``__init__`` or a field outside it is not here
_COPIED: dict[type, tuple[frozenset[str], bool]] = {}
