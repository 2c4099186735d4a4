"""Result records and how they are kept: the schema, the results file, the run journal, atomic
writes and clocks. Nothing here imports TensorFlow, so the report and every reader of saved
results work on any machine."""
