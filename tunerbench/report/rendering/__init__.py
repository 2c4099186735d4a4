"""The report written: every section and figure assembled, the Jinja2 environment and its
filters, each value escaped for what it is written into, the HTML report and its verdict.md
written as one pair."""
