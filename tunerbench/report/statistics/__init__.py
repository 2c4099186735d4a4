"""Statistics over seeds, computed from saved results with scipy, scikit-posthocs and statsmodels.

Inputs are plain mappings, not record classes: a *score table* is ``tuner -> seed -> value``
(higher is better). Seeds are the blocks of every paired test, and only *complete blocks* (seeds
that every compared tuner has) are used: a seed missing for one tuner would pair unlike with
unlike. Every test statistic comes from those libraries; these modules choose the inputs, turn
the degenerate cases that would give NaN or warnings into their exact answers, and return frozen
dataclasses.
"""
