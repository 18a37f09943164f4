"""The one rule for writing text into LaTeX, shared by the network figure's TikZ and the LaTeX documents:
TeX's special characters escaped, the notation's symbols as math, other letters beyond ASCII without
their accents (pdflatex's standard fonts have no glyph for most of them), and numbers in math mode."""

from __future__ import annotations

import re
import unicodedata

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
# Letters with a mark above that the combining form keeps (m̂, v̂): the letter, then U+0302.
_HAT = "\u0302"


def tex_text(text: str) -> str:
    """``text`` as LaTeX text."""
    out = []
    for n, char in enumerate(text):
        if char == "-" and text[n + 1:n + 2] == "-":  # not an en dash: --rows stays two hyphens
            out.append("-{}")
        elif char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif char == _HAT and out:
            out[-1] = rf"\^{{{out[-1]}}}"
        elif char.isascii():
            out.append(char if char.isprintable() else " ")
        else:
            plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(tex_text(plain) if plain.isprintable() and plain else "?")
    return "".join(out)


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
        base = rf"\text{{{tex_text(base)}}}"
    base = rf"\hat{{{base}}}" if hat else base
    return base + (f"_{{{index}}}" if index else "")
