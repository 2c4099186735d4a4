"""Running a benchmark: checked options, the session and its saved results, the pipeline of
phases (search, best-epoch refit, final fit), progress lines, speed measurements and provenance."""
