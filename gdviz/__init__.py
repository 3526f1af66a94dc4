"""gdviz: a dashboard that teaches gradient descent. The core modules import NumPy only."""
