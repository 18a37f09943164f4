"""For the tests of the documents (``bptrace run --format latex|markdown|html``): writing them through the
command line, the real tools that read them (pdflatex, pdftotext, headless Chromium), and reading a PNG.

A test that runs a tool carries its marker (pdflatex, poppler, chromium): tests/conftest.py skips it where
the tool is missing, and fails it there when the environment variable CI is set; ``.ci/run`` installs them.
"""

from __future__ import annotations

import html
import re
import struct
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from conftest import CONFIGS, run_cli

SHIPPED = sorted(CONFIGS.glob("*.yaml"))
FORMATS = {"latex": ".tex", "markdown": ".md", "html": ".html"}



def markdown_spans(text: str) -> list[tuple[str, bool]]:
    """Every math span of a Markdown document: (its LaTeX, whether it is displayed, $$…$$, or inline, $…$)."""
    spans = [(m.strip(), True) for m in re.findall(r"\$\$(.+?)\$\$", text, re.S)]
    inline = re.sub(r"\$\$.+?\$\$", "", text, flags=re.S)
    return spans + [(m, False) for m in re.findall(r"(?<![\\$])\$([^$\n]+?)(?<!\\)\$", inline)]


def write(folder: Path, config: Path, form: str, *args: str, name: str | None = None) -> Path:
    """``bptrace run CONFIG --format FORM ARGS -o folder/NAME.ext``; the file written."""
    target = folder / f"{name or config.stem}{FORMATS[form]}"
    result = run_cli("run", str(config), "--format", form, *args, "-o", str(target))
    assert result.exit_code == 0, result.stderr
    return target


def pdflatex(path: Path) -> Path:
    """Compile ``path`` with pdflatex -halt-on-error in its folder; the PDF."""
    proc = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode", path.name], cwd=path.parent,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{path.name}:\n{proc.stdout[-3000:]}"
    return path.with_suffix(".pdf")


# What pdflatex writes into its log where one run is not enough for the final PDF.
RERUN = ("Rerun", "Label(s) may have changed", "Column widths have changed", "undefined references")
OVERFULL = 2.0  # pt: the widest box a document may set wider than its line (TeX's own \hfuzz is 0.1pt)


def overfull(log: str) -> list[float]:
    """How far each overfull \\hbox of a pdflatex log sticks out, in points."""
    return [float(pt) for pt in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


def assert_one_run(pdf: Path, widest: float = OVERFULL) -> None:
    """The log of the run that wrote ``pdf`` asks for no second run (its tables, labels and references are
    final), and no box sticks out of its line by more than ``widest`` points."""
    log = pdf.with_suffix(".log").read_text(encoding="latin-1")
    found = [warning for warning in RERUN if warning in log]
    assert not found, f"{pdf.name} needs another pdflatex run: {found}"
    wide = [pt for pt in overfull(log) if pt > widest]
    assert not wide, f"{pdf.name}: overfull boxes of {wide} pt"


def pdflatex_all(paths: list[Path]) -> list[Path]:
    """Compile several documents, two at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(pdflatex, paths))


def pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60,
                          check=True).stdout


def chromium(page: Path, *args: str) -> str:
    """Headless Chromium on ``page`` with ``args`` (--dump-dom, --screenshot=…); its standard output."""
    proc = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args,
                           page.as_uri()], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def numbers(text: str) -> set[str]:
    """Every number with a decimal point in ``text`` as the tables write it (−0.85, 0.0763, 1.2e-05)."""
    return set(re.findall(r"[−-]?\d[\d,]*\.\d+(?:e[+−-]\d+)?", text))


def html_text(page: str) -> str:
    """The text a reader sees of an HTML page: no style, no tags, entities read."""
    page = re.sub(r"<style>.*?</style>|<script>.*?</script>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def png_ink(path: Path) -> tuple[int, int, float]:
    """Width, height and the share of dark pixels (red channel below 128) of an 8-bit RGB or RGBA PNG,
    as Chromium writes its screenshots: enough to tell a drawn page from a blank one."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = {}, 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunks[kind] = chunks.get(kind, b"") + data[pos + 8:pos + 8 + length]
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    step = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(height, width * step + 1)
    previous = np.zeros(width * step, dtype=np.int64)
    dark = 0
    for kind, filtered in zip(raw[:, 0], raw[:, 1:].astype(np.int64)):
        if kind == 0:
            line = filtered
        elif kind == 1:
            line = filtered.reshape(width, step).cumsum(axis=0).reshape(-1) % 256
        elif kind == 2:
            line = (filtered + previous) % 256
        else:  # average and Paeth depend on the byte to the left: one at a time
            line = filtered.copy()
            for x in range(width * step):
                a = int(line[x - step]) if x >= step else 0
                b, c = int(previous[x]), int(previous[x - step]) if x >= step else 0
                if kind == 3:
                    line[x] = (line[x] + (a + b) // 2) % 256
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) % 256
        dark += int(np.count_nonzero(line[::step] < 128))
        previous = line
    return width, height, dark / (width * height)
