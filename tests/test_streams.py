"""Streams and terminals: the JSON document written as a stream, keys read in bounded pieces, output to
full, closed and non-UTF-8 streams, nonsense terminal widths and control characters in names.

Whole processes run where only a real process shows the behaviour (a closed descriptor, /dev/full, the
encoding Python gives its streams); everything else runs in-process.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from backprop_cli.config import load_config
from backprop_cli.engine import trace
from backprop_cli.render.json import iteration_data, trace_head, write_json
from conftest import CONFIGS, ROOT, run_cli

ADAM_XOR = (CONFIGS / "xor.yaml").read_text(encoding="utf-8").replace("alpha:", "optimizer: adam\nalpha:", 1)


# --------------------------------------------------------------------------------------------------
# --format json as a stream


@pytest.mark.parametrize("pretty", [False, True])
@pytest.mark.parametrize("text, epochs", [
    ((CONFIGS / "handout.yaml").read_text(encoding="utf-8"), 1),
    ((CONFIGS / "softmax.yaml").read_text(encoding="utf-8").replace("title:", "title: Ünïcødé →", 1), 2),
    (ADAM_XOR, 3),
])
def test_the_streamed_document_is_what_json_dumps_gives_for_the_whole(write_config, text, epochs, pretty):
    from dataclasses import replace

    config = replace(load_config(write_config(text)), epochs=epochs)
    out = io.StringIO()
    write_json(out, config, trace(config), 4, None, pretty=pretty)
    whole = {**trace_head(config, 4, None), "iterations": [iteration_data(it) for it in trace(config)]}
    expected = json.dumps(whole, allow_nan=False, ensure_ascii=False, indent=2 if pretty else None) + "\n"
    assert out.getvalue() == expected
    assert len(json.loads(out.getvalue())["iterations"]) == epochs
    assert ("adam" in text) == ('"state": {' in out.getvalue())  # the optimizer's state is framed too


def test_each_iteration_is_written_and_flushed_before_the_next_is_computed():
    config = load_config(str(CONFIGS / "xor.yaml"))

    class Recorder(io.StringIO):
        flushed = ""

        def flush(self):
            self.flushed = self.getvalue()

    out = Recorder()
    seen = []

    def iterations():
        for it in trace(config):
            if it.number > 1:  # the update before is already out, whole
                seen.append(out.flushed.count('{"iteration": '))
            yield it
            if it.number == 4:
                return

    write_json(out, config, iterations(), 4, None)
    assert seen == [1, 2, 3]
    assert len(json.loads(out.getvalue())["iterations"]) == 4
