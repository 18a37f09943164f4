"""Frozen records: the network, the trace, the document model and the figure are made of them.

``class Num(Record): value: float`` behaves as ``@dataclass(frozen=True)`` would make it: its fields are
the annotated names of the class and of the records it extends, with their defaults (a plain value or
``dataclasses.field(default=..., default_factory=..., compare=..., repr=...)``); it is built from them by
position or by name, compared, hashed and shown field by field (fields with ``compare=False`` or
``repr=False`` left out), and assigning to it raises ``dataclasses.FrozenInstanceError``. It is a
dataclass to ``dataclasses.fields``, ``replace``, ``is_dataclass`` and ``asdict``.

What differs is the making, which every start-up pays for each of the hundred classes: ``dataclass``
writes and compiles six methods of source code for each frozen class (about 0.5 ms a class); a record's
methods are shared, and the dataclass bookkeeping is made the first time something asks for it (which a
run of bptrace never does).
"""

from __future__ import annotations

import inspect
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass


class _Spec:
    """What the shared methods need to know of one record class, read from its annotations."""

    __slots__ = ("names", "known", "defaults", "factories", "compared", "shown")

    def __init__(self, names, defaults, factories, compared, shown) -> None:
        self.names = names  # every field, in order: the extended records' first
        self.known = frozenset(names)
        self.defaults = defaults  # name → default value
        self.factories = factories  # name → a function giving the default
        self.compared = compared
        self.shown = shown


def _own_fields(cls: type) -> tuple[tuple[str, object, object, bool, bool], ...]:
    """(name, default, factory, compared, shown) of each field the class body of ``cls`` annotates, read as
    the class is made (``dataclass``, once it has made its bookkeeping, replaces a ``field()`` by its
    default)."""
    found = []
    for name, annotation in inspect.get_annotations(cls).items():
        spelled = annotation if isinstance(annotation, str) else getattr(annotation, "__qualname__", "")
        if spelled.split("[", 1)[0].rsplit(".", 1)[-1] == "ClassVar":
            continue
        value = getattr(cls, name, MISSING)  # a default of the record it extends holds, as in a dataclass
        if isinstance(value, Field):
            found.append((name, value.default, value.default_factory, value.compare, value.repr))
        else:
            found.append((name, value, MISSING, True, True))
    return tuple(found)


def _read_spec(cls: type) -> _Spec:
    """The fields of ``cls`` and of the records it extends, theirs first; a field named again keeps its place."""
    fields: dict[str, tuple] = {}
    for base in reversed(cls.__mro__):
        for field in base.__dict__.get("_own", ()):
            fields[field[0]] = field
    names = tuple(fields)
    return _Spec(names,
                 {name: f[1] for name, f in fields.items() if f[1] is not MISSING},
                 {name: f[2] for name, f in fields.items() if f[2] is not MISSING},
                 tuple(name for name, f in fields.items() if f[3]),
                 tuple(name for name, f in fields.items() if f[4]))


class _DataclassFields:
    """``__dataclass_fields__`` of one record class, made on first use by ``dataclass`` itself (which then
    stores the real one on the class in its place), so that ``dataclasses.fields``, ``replace`` and a
    dataclass extending the record see exactly what they expect. Each class has its own."""

    def __get__(self, instance, owner):
        if owner is Record:
            raise AttributeError("__dataclass_fields__")  # the base itself is no dataclass
        if owner.__dict__.get("__dataclass_fields__") is self:
            dataclass(init=False, repr=False, eq=False, frozen=True)(owner)  # it keeps the shared methods
        return owner.__dict__["__dataclass_fields__"]


class _Signature:
    """``__signature__`` of a record class, for ``inspect.signature`` and ``help``: its fields in order,
    each with its annotation and default (a default made by a factory shows as ``<factory>``)."""

    def __get__(self, instance, owner):
        if instance is not None or owner is Record:
            raise AttributeError("__signature__")
        annotations = {}
        for base in reversed(owner.__mro__):
            if issubclass(base, Record) and base is not Record:
                annotations.update(inspect.get_annotations(base))
        spec = owner._spec
        return inspect.Signature([inspect.Parameter(
            name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=annotations.get(name, inspect.Parameter.empty),
            default=spec.defaults[name] if name in spec.defaults else
            _FACTORY if name in spec.factories else inspect.Parameter.empty) for name in spec.names],
            return_annotation=None)  # as dataclass's __init__ -> None


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def names(record: Record) -> tuple[str, ...]:
    """The fields of ``record``, in order (``dataclasses.fields`` without making its bookkeeping)."""
    return record._spec.names


def replace(record: Record, **changes) -> Record:
    """``record`` with ``changes`` (``dataclasses.replace`` without making its bookkeeping)."""
    kind = type(record)
    if not kind._spec.known.issuperset(changes):
        unknown = ", ".join(name for name in changes if name not in kind._spec.known)
        raise TypeError(f"{kind.__qualname__}(): no field {unknown}")
    copy = object.__new__(kind)
    copy.__dict__.update(record.__dict__, **changes)  # a record's __dict__ holds its fields, and only them
    return copy


class Record:
    __slots__ = ()
    __dataclass_fields__ = _DataclassFields()
    __signature__ = _Signature()
    _spec: _Spec = _Spec((), {}, {}, (), ())

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__doc__ is None:
            cls.__doc__ = cls.__qualname__  # as dataclass would write its signature here, which is slow
        cls._own = _own_fields(cls)
        cls._spec = _read_spec(cls)
        cls.__match_args__ = cls._spec.names
        cls.__dataclass_fields__ = _DataclassFields()

    def __init__(self, *args, **kwargs) -> None:
        spec = self._spec
        values = self.__dict__
        if len(args) + len(kwargs) == len(spec.names) and spec.known.issuperset(kwargs) and (
                not args or not kwargs or kwargs.keys().isdisjoint(spec.names[:len(args)])):
            values.update(zip(spec.names, args), **kwargs)  # every field given (the engine's records, each update)
            return
        values.update(spec.defaults)
        if args:
            if len(args) > len(spec.names):
                raise TypeError(f"{type(self).__qualname__}() takes {len(spec.names)} fields but {len(args)} were given")
            values.update(zip(spec.names, args))
            twice = kwargs.keys() & spec.names[:len(args)] if kwargs else ()
            if twice:
                values.clear()
                raise TypeError(f"{type(self).__qualname__}() got several values for {', '.join(sorted(twice))}")
        values.update(kwargs)
        for name, make in spec.factories.items():
            if name not in values:
                values[name] = make()
        if len(values) != len(spec.names) or not spec.known.issuperset(kwargs):
            missing = [name for name in spec.names if name not in values]
            unknown = [name for name in kwargs if name not in spec.known]
            values.clear()
            raise TypeError(f"{type(self).__qualname__}(): " + "; ".join(
                part for part in (missing and f"missing {', '.join(missing)}",
                                  unknown and f"no field {', '.join(unknown)}") if part))

    def __replace__(self, **changes) -> Record:  # copy.replace (Python 3.13)
        return replace(self, **changes)

    def _key(self) -> tuple:
        return tuple(getattr(self, name) for name in self._spec.compared)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._spec.shown)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
