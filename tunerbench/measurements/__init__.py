"""The measurements of --tb-speed and --tb-loop-accuracy: epochs timed, their stages, whole
studies through the executors, and the paired check of the two loops."""
