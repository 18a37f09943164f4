"""Reading a config file into the engine's Config: YAML with positions, validation with precise messages, hints
for the typo behind an error, the starter templates, and saving a trained network as a config.

Imports engine/ and the top-level modules (errors, words, output); nothing of model/, render/, course/ or cli/.
"""
