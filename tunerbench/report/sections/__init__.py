"""Each report section's data, as dataclasses built from the inputs and the decision: the tables
and sentences the templates lay out, numbers kept as numbers for the filters to format."""
