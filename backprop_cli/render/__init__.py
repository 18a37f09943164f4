"""Renderers: each takes the config and the computed iterations and produces output; none does math."""
