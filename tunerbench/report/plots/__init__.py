"""The report's figures, each in two steps (as Optuna's visualization does): a function that
computes the figure's data as a dataclass, which tests check, and one that draws it with Plotly."""
