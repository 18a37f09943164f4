"""Records behave as frozen dataclasses: made, compared, shown, copied and replaced the same way."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import subprocess
import sys
from dataclasses import field

import pytest

from backprop_cli.records import Record


class Point(Record):
    """A point with a label that is neither compared nor shown."""

    x: float
    y: float = 0.0
    tags: list = field(default_factory=list)
    label: str = field(default="", compare=False, repr=False)


class Point3(Point):
    z: float = 1.0
    x: float = 5.0  # a default for a field of the record it extends: it keeps its place


@dataclasses.dataclass(frozen=True)
class Twin:
    x: float
    y: float = 0.0
    tags: list = field(default_factory=list)
    label: str = field(default="", compare=False, repr=False)


def test_made_by_position_by_name_and_from_defaults_as_a_dataclass_is():
    for kind in (Point, Twin):
        assert repr(kind(1.0)).endswith("(x=1.0, y=0.0, tags=[])")
        assert repr(kind(1.0, 2.0, [3])).endswith("(x=1.0, y=2.0, tags=[3])")
        assert repr(kind(y=2.0, x=1.0, label="a")).endswith("(x=1.0, y=2.0, tags=[])")
    assert Point(1.0).tags is not Point(1.0).tags  # a new list each time


def test_fields_of_extended_records_come_first_and_keep_their_place():
    assert [f.name for f in dataclasses.fields(Point3)] == ["x", "y", "tags", "label", "z"]
    assert Point3() == Point3(5.0, 0.0, [], "", 1.0)
    assert repr(Point3(y=2)) == "Point3(x=5.0, y=2, tags=[], z=1.0)"


@pytest.mark.parametrize("make, message", [
    (lambda: Point(), "missing x"),
    (lambda: Point(1.0, x=2.0), "several values for x"),
    (lambda: Point(1, 2, [], "", 5), "takes 4 fields but 5 were given"),
    (lambda: Point(1.0, w=3), "no field w"),
    (lambda: Point(y=1.0, w=3), "missing x; no field w"),
])
def test_wrong_arguments_are_a_type_error_naming_them(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_compared_and_hashed_by_the_compared_fields_only():
    assert Point(1.0, label="a") == Point(1.0, label="b")
    assert Point(1.0) != Point(2.0)
    assert Point(1.0) != Twin(1.0)  # another class is never equal
    assert hash(Point(1.0, 2.0, (3,))) == hash(Point(1.0, 2.0, (3,), label="c"))


def test_frozen():
    point = Point(1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        del point.x


def test_a_dataclass_to_the_dataclasses_module():
    point = Point3(1.0, label="a")
    assert dataclasses.is_dataclass(point) and dataclasses.is_dataclass(Point3)
    assert dataclasses.replace(point, z=3.0) == Point3(1.0, z=3.0)
    assert dataclasses.replace(point, z=3.0).label == "a"
    assert dataclasses.asdict(point) == {"x": 1.0, "y": 0.0, "tags": [], "label": "a", "z": 1.0}
    compared = {f.name: f.compare for f in dataclasses.fields(Point)}
    assert compared == {"x": True, "y": True, "tags": True, "label": False}


def test_a_record_extended_after_its_bookkeeping_was_made_keeps_its_fields():
    class Base(Record):
        tags: list = field(default_factory=list)
        note: str = field(default="", compare=False)

    assert [f.name for f in dataclasses.fields(Base)] == ["tags", "note"]  # dataclass replaces field() now

    class Later(Base):
        z: int = 0

    assert Later() == Later(note="other") and Later().tags == [] and Later().tags is not Later().tags
    assert [f.name for f in dataclasses.fields(Later)] == ["tags", "note", "z"]
    assert dataclasses.replace(Later(z=3), note="x") == Later(z=3) and dataclasses.replace(Later(z=3), note="x").z == 3


def test_a_dataclass_may_extend_a_record_and_match_reads_it():
    @dataclasses.dataclass(frozen=True)
    class Labelled(Point):
        name: str = "p"

    made = Labelled(1.0, name="q")
    assert made == Labelled(1.0, name="q") and made.name == "q" and made.tags == []
    assert not dataclasses.is_dataclass(Record)
    match Point3(1.0, 2.0):
        case Point3(x, y, _, _, z):
            matched = (x, y, z)
    assert matched == (1.0, 2.0, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.other = 1


def test_the_signature_names_the_fields_as_a_dataclass_does():
    import inspect

    assert str(inspect.signature(Point)) == str(inspect.signature(Twin))
    assert str(inspect.signature(Point3)) == ("(x: 'float' = 5.0, y: 'float' = 0.0, tags: 'list' = <factory>, "
                                              "label: 'str' = '', z: 'float' = 1.0) -> None")


def test_records_replace_checks_the_names():
    from backprop_cli.records import names, replace

    point = Point3(1.0, tags=[1])
    assert replace(point, z=2.0) == Point3(1.0, tags=[1], z=2.0) and names(point) == ("x", "y", "tags", "label", "z")
    with pytest.raises(TypeError, match="no field w"):
        replace(point, w=1)


def test_copied_and_pickled():
    point = Point3(1.0, tags=[1, 2], label="a")
    for twin in (copy.copy(point), copy.deepcopy(point), pickle.loads(pickle.dumps(point))):
        assert twin == point and twin.label == "a"


def test_the_network_and_the_trace_are_records():
    from backprop_cli.api import run
    from backprop_cli.network import Config

    result = run("configs/handout.yaml")
    assert isinstance(result.trained, Config) and isinstance(result.trained, Record)
    slower = dataclasses.replace(result.trained, alpha=0.1)
    assert slower.alpha == 0.1 and slower.layers == result.trained.layers


def test_a_run_makes_no_dataclass_bookkeeping():
    """What keeps start-up short: a run's classes are records, whose dataclass fields are made on demand."""
    probe = ("import sys, dataclasses\n"
             "made = []\n"
             "real = dataclasses._process_class\n"
             "dataclasses._process_class = lambda cls, *a, **k: made.append(cls.__qualname__) or real(cls, *a, **k)\n"
             "sys.argv = ['bptrace', 'run', 'configs/handout.yaml', '--format', 'latex', '-o', sys.argv[1]]\n"
             "from backprop_cli.__main__ import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(','.join(made))\n")
    done = subprocess.run([sys.executable, "-c", probe, "/dev/null"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
