"""The output formats of ``bptrace run``, in one table: each format's name, the extensions of -o that name
it, its writer, and the options that act on it. ``--format``'s choices, the format an extension implies and
the refusal of options that would do nothing are all read from here."""

from __future__ import annotations

from dataclasses import dataclass

# The options of 'run' that only some formats take.
TABLE_OPTIONS = frozenset({"step", "explain", "working", "rows", "width", "show", "color"})
DOCUMENT_OPTIONS = frozenset({"explain", "working", "rows", "show", "fragment"})


@dataclass(frozen=True)
class Format:
    name: str
    extensions: tuple[str, ...]
    writer: str  # the runner's writer of this format (runner.WRITERS)
    options: frozenset[str]  # the options of TABLE_OPTIONS | DOCUMENT_OPTIONS that act on it
    document: bool = False  # a document of the worked example (LaTeX, Markdown, HTML)


FORMATS = {f.name: f for f in (
    Format("table", (".txt",), "table", TABLE_OPTIONS),
    Format("json", (".json",), "json", frozenset()),
    Format("jsonl", (".jsonl",), "jsonl", frozenset()),
    Format("latex", (".tex",), "document", DOCUMENT_OPTIONS, document=True),
    Format("markdown", (".md", ".markdown"), "document", DOCUMENT_OPTIONS, document=True),
    Format("html", (".html", ".htm"), "document", DOCUMENT_OPTIONS, document=True),
)}
DOCUMENTS = tuple(name for name, f in FORMATS.items() if f.document)
# The format an output file's extension names, where --format does not say.
EXTENSIONS = {extension: name for name, f in FORMATS.items() for extension in f.extensions}


def taking(option: str) -> tuple[str, ...]:
    """The formats ``option`` acts on."""
    return tuple(name for name, f in FORMATS.items() if option in f.options)
