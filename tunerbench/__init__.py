"""tunerbench: benchmark Keras Tuner's tuners end to end and report the comparison."""
