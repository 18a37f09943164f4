"""The one rule for writing text into LaTeX, shared by the network figure's TikZ and the LaTeX documents:
TeX's special characters escaped, the notation's symbols as math, letters beyond ASCII as written where
pdflatex sets them with its standard fonts (é, ü, ñ, ø: UTF-8 input, LaTeX's default), and numbers in math
mode. A letter it cannot set (Cyrillic, Greek text, CJK, ą, ð) is refused, never changed."""

from __future__ import annotations

import re
import unicodedata

from backprop_cli.errors import BptraceError

_MATH = {
    "−": "-", "σ": r"\sigma", "∂": r"\partial", "Θ": r"\Theta", "α": r"\alpha", "β": r"\beta", "δ": r"\delta",
    "ε": r"\varepsilon", "λ": r"\lambda", "μ": r"\mu", "ρ": r"\rho", "Σ": r"\Sigma", "·": r"\cdot",
    "⋮": r"\vdots", "×": r"\times", "→": r"\rightarrow", "←": r"\leftarrow", "≤": r"\leq", "≥": r"\geq",
    "ℝ": r"\mathbb{R}", "√": r"\surd", "²": "^2", "½": r"\tfrac{1}{2}", "′": "'",
}
_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
    "…": r"\ldots{}", "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''",
    **{char: rf"\ensuremath{{{tex}}}" for char, tex in _MATH.items()},
}
# Characters that text inside math cannot hold alike in LaTeX, KaTeX and MathJax (MathJax's \text takes no
# commands, pdflatex's text fonts have no < > |): set in math mode between the \text{…} around them.
_IN_MATH = {
    "\\": r"\backslash", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%", "_": r"\_",
    "~": r"\sim", "^": r"\wedge", "<": "<", ">": ">", "|": "|", "…": r"\ldots",
    **{char: tex.replace("^2", "^{2}") for char, tex in _MATH.items() if char != "−"},
}
# Letters with a mark above that the combining form keeps (m̂, v̂): the letter, then U+0302.
_HAT = "\u0302"
# Of Latin-1's letters and Latin Extended-A (U+00C0-U+017F), those pdflatex's standard (OT1) fonts lack:
# they need T1 fonts, which not every TeX installation has.
_UNSET = "ÐÞðþĄąĐđĘęĦħĮįĸĿŀŉŊŋŦŧŲųſ"


def settable(char: str) -> bool:
    """Whether pdflatex sets the character ``char`` (beyond ASCII) as written, with UTF-8 input and its
    standard fonts."""
    return "\u00c0" <= char <= "\u017f" and char not in _UNSET


def tex_text(text: str) -> str:
    """``text`` as LaTeX text."""
    out = []
    for n, char in enumerate(text):
        if char == "-" and text[n + 1:n + 2] == "-":  # not an en dash: --rows stays two hyphens
            out.append("-{}")
        elif char == "'" and _opens(text, n):
            out.append("`")  # an opening quote, where LaTeX would set a closing one
        elif char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif char == _HAT and out:
            out[-1] = rf"\^{{{out[-1]}}}"
        elif not char.isprintable():  # a control character (a line break, ESC, C1): not for the page
            out.append(" ")
        elif char.isascii():
            out.append(char)
        elif settable(char):
            out.append(_as_written(char))
        else:
            raise BptraceError(f"pdflatex cannot set '{char}' (U+{ord(char):04X}) of {text!r} with its standard "
                               "fonts; write it in Latin letters, or use HTML or Markdown")
    return "".join(out)


def _as_written(char: str) -> str:
    """A letter such as é as pdflatex sets it, marked with its character so that text taken from the PDF
    (pdftotext, copy and paste) reads é and not e with a loose accent."""
    return rf"\pdfliteral page{{/Span<</ActualText<FEFF{ord(char):04X}>>>BDC}}{char}\pdfliteral page{{EMC}}"


def math_text(text: str) -> str:
    """``text`` inside math: words in \\text{…}, and the notation's symbols (σ, →) and the characters TeX reads
    as markup between them in math mode, with commands that LaTeX, KaTeX and MathJax all know
    (\\text{Derivative Sigmoid }\\sigma, \\text{50}\\%)."""
    out: list[str] = []
    words: list[str] = []

    def close() -> None:
        if words:
            out.append(rf"\text{{{''.join(words)}}}")
            words.clear()

    for n, char in enumerate(text):
        if char in _IN_MATH:
            close()
            command = _IN_MATH[char]
            out.append(f"{{{command}}}" if command[-1].isalpha() else command)  # {\sigma}: no letter may follow
        elif char == _HAT and words:
            letter = words.pop()
            close()
            out.append(rf"\hat{{\text{{{letter}}}}}")
        elif char == "'" and _opens(text, n):
            words.append("‘")
        elif char.isascii():
            words.append(char if char.isprintable() else " ")
            if char == "-" and text[n + 1:n + 2] == "-":  # --rows: two hyphens, not an en dash
                close()
        elif settable(char):  # é, ü, ñ, ø: as written (UTF-8 input)
            words.append(char)
        else:
            plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            words.append(plain if plain.isprintable() and plain and plain not in _IN_MATH else
                         char if char in "‘’“”–—" else "?")
    close()
    return "".join(out)


def _opens(text: str, n: int) -> bool:
    """Whether the straight quote at ``n`` opens a quotation ('hid'): at the start or after a space or an
    opening bracket, and before a letter or digit."""
    return (n == 0 or text[n - 1] in " ([") and text[n + 1:n + 2].isalnum()


def plain_name(name: str) -> bool:
    """Whether a layer's name is a plain word (letters, then letters or digits: hid, out, hid2), set in italic
    as the handout's [hid] is, in the formulas and the figure alike; any other name is set as text."""
    return re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name) is not None


def tex_number(text: str) -> str:
    """A number as the tables write it (−0.85, (−1.40), 1.5e+20), in math mode: the sign of an exponent
    is not a binary operator (1\\mathrm{e}{-}08)."""
    return re.sub(r"e([+-]?)", lambda m: rf"\mathrm{{e}}{{{m.group(1)}}}", text.replace("−", "-"))


def math_symbol(text: str) -> str:
    """A symbol of the notation (α, β1, m̂, ReLU) in math mode: Greek letters by name, a digit after a letter
    as its index, a hat as \\hat, a word upright."""
    hat = text.endswith(_HAT)
    core = text[:-1] if hat else text
    match = re.fullmatch(r"(\D+?)(\d+)", core)
    base, index = (match.group(1), match.group(2)) if match else (core, "")
    if base in _MATH:
        base = _MATH[base]
    elif len(base) > 1 and base.isascii() and base.isalpha():
        base = rf"\mathrm{{{base}}}"
    elif not base.isascii():
        base = math_text(base)
    base = rf"\hat{{{base}}}" if hat else base
    return base + (f"_{{{index}}}" if index else "")
