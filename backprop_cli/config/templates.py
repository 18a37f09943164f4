"""The starter configs shipped with the package (the files of configs/ in the source tree).

An installed package carries them as ``backprop_cli.templates``; an editable install may not map that
package, and then they are read from configs/ beside the source.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml


def _folder():
    try:
        folder = resources.files("backprop_cli.templates")
        if any(p.name.endswith(".yaml") for p in folder.iterdir()):
            return folder
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass
    return Path(__file__).resolve().parents[2] / "configs"


def template_names() -> list[str]:
    """Names of the shipped templates, handout first."""
    names = sorted(p.name[: -len(".yaml")] for p in _folder().iterdir() if p.name.endswith(".yaml"))
    return sorted(names, key=lambda n: (n != "handout", n))


def read_template(name: str) -> str:
    return (_folder() / f"{name}.yaml").read_text(encoding="utf-8")


def template_list(names: list[str]) -> str:
    """One line per template: its name and its title, as ``bptrace init --list`` prints them."""
    width = max(len(name) for name in names)
    lines = []
    for name in names:
        title = (yaml.safe_load(read_template(name)) or {}).get("title") or ""
        lines.append(f"{name:<{width}}  {title}".rstrip())
    return "\n".join(lines)
