"""The starter configs shipped with the package (the files of configs/ in the source tree)."""

from __future__ import annotations

from importlib import resources


def _folder():
    return resources.files("backprop_cli.templates")


def template_names() -> list[str]:
    """Names of the shipped templates, handout first."""
    names = sorted(p.name[: -len(".yaml")] for p in _folder().iterdir() if p.name.endswith(".yaml"))
    return sorted(names, key=lambda n: (n != "handout", n))


def read_template(name: str) -> str:
    return (_folder() / f"{name}.yaml").read_text(encoding="utf-8")
