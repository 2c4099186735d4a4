"""The search phase: the registry of Keras Tuner tuners, the equal-budget rule, the recording of
every trial from inside the real tuners, and Keras Tuner's distributed mode with its workers."""
