"""Statistics over seeds, computed from saved results with scipy, scikit-posthocs, statsmodels
and baycomp.

Inputs are plain mappings, not record classes: a *score table* is ``tuner -> seed -> value``
(higher is better). Seeds are the blocks of every paired test: a pair of tuners is compared on
the seeds both ran, rank statistics over all tuners on the *complete blocks* (seeds that every
compared tuner has), so a seed missing for one tuner never pairs unlike with unlike. Every test
statistic comes from those libraries; these modules choose the inputs, turn the degenerate
cases that would give NaN or warnings into their exact answers, and return frozen dataclasses.
"""

# The one significance level of every test, interval and seed estimate in the report: a
# section that used its own could call significant what another section calls undecided.
ALPHA = 0.05
