"""Running a study: checked options, the session and its saved results, where pipelines run
(one after another here, or on Dask), fresh processes, progress lines and resuming."""
