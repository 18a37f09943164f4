"""Teaching with bptrace: answer sheets and their marking (check/), generated exercises (exercise/).

Imports engine/, config/, model/, render/ and the top-level modules; nothing of cli/.
"""
