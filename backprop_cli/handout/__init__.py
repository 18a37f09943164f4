"""The worked example as data: the document model that every output format spells (see document.py)."""
