"""bptrace: trace one backpropagation step of a small neural network, as a course handout does."""

__version__ = "0.1.0"
