"""The computation: the network as data (network.py), activations, losses, hand rounding, the handout's steps,
the run of updates (backprop.py), optimizers, training and the gradient check.

Imports only the top-level modules errors and words, and numpy; nothing of config/, model/, render/, course/ or cli/.
"""
