"""The report: reads saved results only (never TensorFlow), groups comparable runs, computes each
section's data and draws it into one self-contained HTML file. Its layers, data flowing one way:
inputs (what is read), decision (what the seeds say), plots, sections, rendering."""
