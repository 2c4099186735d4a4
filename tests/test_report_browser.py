"""The rendered report in a real headless Chromium: loads cleanly and draws its plots."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reporting import study

from tunerbench.records.results_file import session_document
from tunerbench.report.render import write_report
from tunerbench.search.registry import TUNERS

DATA = Path(__file__).parent / "data"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (CI installs it)",
)


@contextlib.contextmanager
def opened(report: Path, profile: Path) -> Iterator[Any]:
    """The report in headless Chromium at 1280 x 900, as a page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_report_loads_without_console_errors_and_draws_plots(tmp_path: Path) -> None:
    report = write_report([DATA / "quick-digits-session.json"], tmp_path / "index.html").path
    problems: list[str] = []
    with opened(report, tmp_path / "profile") as page:
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(report.as_uri())
        page.wait_for_function(
            "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4", timeout=30_000
        )
        titles = page.eval_on_selector_all(
            ".js-plotly-plot .gtitle", "els => els.map(e => e.textContent)"
        )
        points = page.eval_on_selector_all(
            ".js-plotly-plot .scatterlayer .point", "els => els.length"
        )
        bars = page.eval_on_selector_all(".js-plotly-plot .barlayer .point", "els => els.length")
        width = page.evaluate("document.documentElement.scrollWidth")
    assert problems == []
    assert any(t.startswith("Anytime performance") for t in titles)
    assert any(t.startswith("Where each tuner searched") for t in titles)
    assert any(t.startswith("Best-epoch refit") for t in titles)
    assert any(t.startswith("Time breakdown") for t in titles)
    assert points > 30 and bars == 15  # every trial drawn; 5 tuners x 3 phases
    assert width <= 1280  # no horizontal scrolling at a 1280-px window


def test_the_first_screen_answers(tmp_path: Path) -> None:
    """A 10-seed study of five tuners at 1280 x 900: the verdict card and the whole leaderboard
    are on the first screen, and nothing scrolls sideways."""
    runs = study({t: 0.01 if t == "hyperband" else 0.0 for t in TUNERS.names}, seeds=10)
    source = tmp_path / "study.json"
    source.write_text(json.dumps(session_document(runs, "2026-01-01T00:00:00+00:00")))
    report = write_report([source], tmp_path / "index.html").path
    with opened(report, tmp_path / "profile") as page:
        page.goto(report.as_uri())
        headline = page.inner_text(".verdict-headline")
        board = page.evaluate(
            "document.querySelector('table.leaderboard').getBoundingClientRect().bottom"
        )
        starred = page.eval_on_selector_all(
            "table.leaderboard td.best", "els => els.map(e => e.closest('tr').cells[0].innerText)"
        )
        width = page.evaluate("document.documentElement.scrollWidth")
    assert headline.startswith("Use hyperband")
    assert board <= 900 and width <= 1280
    assert [name.strip() for name in starred] == ["hyperband ✓"]
