"""Renderers: terminal tables (rich), JSON, LaTeX, Markdown, HTML, SVG and TikZ; each spells the document model
and decides nothing about what is shown.

Imports engine/, config/, model/ and the top-level modules; nothing of course/ or cli/.
"""
