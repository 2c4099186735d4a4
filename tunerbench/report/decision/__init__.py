"""What the seeds say: the statistics over seeds, the verdict, the upgrade verdict and the run
that would settle what is open, as data. Imports the inputs only (never plotly nor jinja2), so
what to use is decided the same whatever shows it."""
