"""JSON Schemas shipped with the package: the config file, the JSON trace (trace-v1) and a marked answer sheet
(check-v2)."""

from __future__ import annotations

import json
from importlib import resources

FILES = {"config": "config.schema.json", "trace": "trace-v1.schema.json", "check": "check-v2.schema.json"}


def schema_text(which: str) -> str:
    """The schema ``which`` (config, trace or check) as JSON text."""
    return resources.files(__name__).joinpath(FILES[which]).read_text(encoding="utf-8")


def load_schema(which: str) -> dict:
    return json.loads(schema_text(which))
