"""The report's Jinja2 templates, shipped inside tunerbench as ``tunerbench.report_templates``
(pyproject.toml maps this folder there), so a wheel renders reports as an editable install does."""
