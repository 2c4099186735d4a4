"""The data: Fashion-MNIST from its IDX files, scikit-learn's digits, and the one hold-out split
every tuner and phase shares. NumPy only: options are checked and data located before anything
imports TensorFlow."""
