"""How one model trains: the reference hypermodel and the training loops it delegates to (Keras'
own, and the fast loop with its batch blocks, kept tensors and compiled-model cache), plus the
memory hygiene between trials. The only subpackage that builds Keras models."""
