"""The built-in problems, by name: the reference MLP on Fashion-MNIST (the reference run), the
same MLP on scikit-learn's digits (no download, for quick runs), and a small CNN on
Fashion-MNIST whose larger space (filters, dropout, learning rate, batch size: 108 points
against the MLP's 24) leaves the tuners room to disagree."""

from __future__ import annotations

from tunerbench.choices import Choices
from tunerbench.data.datasets import DATASETS
from tunerbench.problems.problem import Problem

DEFAULT_PROBLEM = "fashion_mnist"
_MLP = "tunerbench.training.hypermodel:ReferenceHyperModel"
_SKLEARN_MLP = "tunerbench.training.hypermodel:build_mlp"


def _reference_mlp(dataset: str) -> Problem:
    return Problem(
        name=dataset,
        hypermodel=_MLP,
        dataset=dataset,
        summary=f"the reference MLP (units, learning rate) on {DATASETS[dataset].summary}",
        sklearn=_SKLEARN_MLP,
        fast_loop=True,
    )


PROBLEMS: Choices[Problem] = Choices(
    "problem",
    (
        (p.name, p)
        for p in (
            _reference_mlp("fashion_mnist"),
            _reference_mlp("digits"),
            Problem(
                name="fashion_cnn",
                hypermodel="tunerbench.problems.fashion_cnn:build",
                dataset="fashion_mnist",
                summary="a small CNN on Fashion-MNIST: filters, dropout, learning rate and batch "
                "size searched (108 points), Keras' own fit",
                batch_size_hp="batch_size",
            ),
        )
    ),
)


def reference_mlp(name: str) -> Problem | None:
    """The reference MLP's problem called ``name`` (it is named after its dataset), or None:
    what the measurements of ``--tb-speed`` and ``--tb-loop-accuracy`` and the arithmetic of a
    study's bound are about."""
    problem = PROBLEMS.get(name)
    return problem if problem is not None and problem.fast_loop else None
