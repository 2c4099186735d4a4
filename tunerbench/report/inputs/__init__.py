"""What the report reads: results files checked as they are read, runs grouped into what may be
compared and labelled, each run's objective, the seed tables every statistic reads. Imports no
other layer of the report, so whatever reads results reads them alike."""
