"""The worked example as data: the document model (sections, blocks, tables of rows, formula trees), the number
format every renderer writes with, and the network figure's content and layout.

Imports engine/ and config/ and the top-level modules; nothing of render/, course/ or cli/.
"""
