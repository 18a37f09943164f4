"""Which network a sheet was made for: the id of an exercise, or of any config.

An exercise's id comes from its seed and options (``exercise_id``), so the same command gives the same id;
a config without an ``id`` key gets one from its content (``config_id``): the same numbers, the same id,
whatever the file's comments or layout. An id is 8 letters and digits in two groups (K7QM-2XDA), short
enough to copy from a printed sheet.
"""

from __future__ import annotations

import base64
import hashlib
import json

from backprop_cli.engine.network import Config, config_to_data


def short_id(text: str) -> str:
    """8 characters of base32 of SHA-256 of ``text``, as ABCD-EFGH."""
    code = base64.b32encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"{code[:4]}-{code[4:8]}"


def exercise_id(stream_key: bytes) -> str:
    """The id of the exercise drawn from the key of its seed and options."""
    return short_id("bptrace exercise id v1\n" + stream_key.hex())


def config_id(config: Config) -> str:
    """The config's own ``id``, or one derived from its numbers and keys (not from its comments or layout)."""
    if config.id is not None:
        return config.id
    data = config_to_data(config)
    data.pop("title", None)
    data["hand_rounding"] = config.hand_rounding
    return short_id("bptrace config id v1\n" + json.dumps(data, sort_keys=True, allow_nan=False))
