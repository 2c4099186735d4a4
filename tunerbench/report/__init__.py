"""The report: reads saved results only (never TensorFlow), groups comparable runs, computes each
section's data and draws it into one self-contained HTML file."""
