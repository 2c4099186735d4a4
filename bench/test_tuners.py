"""One benchmark per tuner and seed of the problem ``--tb-problem`` names (the reference MLP on
Fashion-MNIST by default): the whole pipeline, recorded by pytest-benchmark."""

from tunerbench.pytest_plugin import problem_benchmark

test_pipeline = problem_benchmark()
