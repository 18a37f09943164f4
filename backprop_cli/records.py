"""Frozen records, for the many small classes of the document model and the figure.

``class Num(Record): value: float`` behaves as ``@dataclass(frozen=True)`` would make it: its fields are
dataclass fields (``dataclasses.fields``, ``replace`` and ``is_dataclass`` work), it is compared, hashed
and shown field by field (fields with ``compare=False`` or ``repr=False`` left out), and assigning to it
raises ``dataclasses.FrozenInstanceError``. What differs is the making: dataclasses generates six
methods of source code for each frozen class, about 0.4 ms a class, and a document's start-up creates
some sixty of them; here one ``__init__`` is generated per class and the rest is shared.
"""

from __future__ import annotations

from dataclasses import MISSING, FrozenInstanceError, dataclass, fields


class Record:
    __slots__ = ()
    _compared: tuple[str, ...] = ()
    _shown: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(init=False, repr=False, eq=False)(cls)  # the fields only: no method is generated
        found = fields(cls)
        cls.__init__ = _init(cls.__qualname__, found)
        cls._compared = tuple(f.name for f in found if f.compare)
        cls._shown = tuple(f.name for f in found if f.repr)

    def _key(self) -> tuple:
        return tuple(getattr(self, name) for name in self._compared)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


def _init(owner: str, found) -> object:
    """``__init__(self, a, b=default, ...)`` setting each field past the frozen ``__setattr__``."""
    defaults = {}
    parameters, body = [], []
    for f in found:
        if f.default_factory is not MISSING:
            raise TypeError(f"{owner}.{f.name}: a Record takes plain defaults, not a default_factory")
        if f.default is MISSING:
            parameters.append(f.name)
        else:
            defaults[f.name] = f.default
            parameters.append(f"{f.name}=_defaults[{f.name!r}]")
        body.append(f"    _set(self, {f.name!r}, {f.name})")
    source = f"def __init__(self, {', '.join(parameters)}):\n" + "\n".join(body or ["    pass"])
    namespace = {"_set": object.__setattr__, "_defaults": defaults}
    exec(source, namespace)  # as dataclasses does for each of its methods; here once per class
    init = namespace["__init__"]
    init.__qualname__ = f"{owner}.__init__"
    return init
