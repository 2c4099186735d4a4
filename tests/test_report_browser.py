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
from tunerbench.report.rendering.written_report import write_report
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


PHONE, DESK = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
SCREENSHOTS = os.environ.get("TUNERBENCH_SCREENSHOTS")  # a folder to keep the screenshots in


@contextlib.contextmanager
def opened(report: Path, profile: Path, viewport: dict[str, int] = DESK) -> Iterator[Any]:
    """The report in headless Chromium (at 1280 x 900 unless told), as a page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport=viewport,
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


def _ten_seed_report(tmp_path: Path) -> Path:
    """Five tuners over 10 seeds, hyperband ahead by a point: a verdict that names it."""
    runs = study({t: 0.01 if t == "hyperband" else 0.0 for t in TUNERS.names}, seeds=10)
    source = tmp_path / "study.json"
    source.write_text(json.dumps(session_document(runs, "2026-01-01T00:00:00+00:00")))
    return write_report([source], tmp_path / "index.html").path


# Every Plotly legend's scroll bar, with the height of its legend and of its figure.
LEGENDS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
  const legend = gd.querySelector('.legend');
  const bar = legend && legend.querySelector('.scrollbar');
  return {id: gd.id, bar: bar ? bar.getBBox().height : 0,
          legend: legend ? legend.getBBox().height : 0, figure: gd.offsetHeight};
})"""


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_the_first_screen_answers(tmp_path: Path, viewport: dict[str, int]) -> None:
    """A 10-seed study of five tuners on a phone and on a desk: the verdict's pick is on the
    first screen, the leaderboard is best first, nothing scrolls sideways, no legend scrolls,
    and the file stays under 2 MB."""
    report = _ten_seed_report(tmp_path)
    assert report.stat().st_size < 2_000_000
    with opened(report, tmp_path / "profile", viewport) as page:
        page.goto(report.as_uri())
        page.wait_for_function(
            "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4", timeout=30_000
        )
        headline = page.locator(".verdict-headline").first
        top, named = headline.bounding_box()["y"], headline.inner_text()
        accuracy = page.eval_on_selector_all(
            "table.leaderboard td[data-column=test_accuracy]",
            "els => els.map(e => parseFloat(e.innerText))",
        )
        starred = page.eval_on_selector_all(
            "table.leaderboard td.best", "els => els.map(e => e.closest('tr').cells[0].innerText)"
        )
        first_difference = page.inner_text("table.leaderboard td[data-column=difference_to_best]")
        width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        page.click("details.diagnostics > summary")  # its figure drawn at the opened width
        page.wait_for_timeout(300)
        opened_width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        legends = page.evaluate(LEGENDS)
        if SCREENSHOTS:
            page.screenshot(path=str(Path(SCREENSHOTS) / f"first-screen-{viewport['width']}.png"))
    assert named.startswith("Use hyperband") and top < viewport["height"]
    assert accuracy == sorted(accuracy, reverse=True) and len(accuracy) == 5
    assert [name.strip() for name in starred] == ["hyperband ✓"]
    assert first_difference == "—"
    assert width <= 0 and opened_width <= 0
    assert all(legend["bar"] == 0 for legend in legends), legends
    assert all(legend["legend"] < legend["figure"] for legend in legends), legends


def test_the_trials_table_sorts_and_filters(tmp_path: Path) -> None:
    """A click on a header sorts the rows by it (numbers as numbers), again reverses them; the
    text box keeps only the rows that contain its text."""
    report = write_report([DATA / "quick-digits-session.json"], tmp_path / "index.html").path
    with opened(report, tmp_path / "profile") as page:
        page.goto(report.as_uri())
        page.click("details.diagnostics > summary")
        page.click("details:has(> div.scroll > table.trials) > summary")
        column = "rows => rows.map(r => parseFloat(r.cells[7].innerText))"  # wall s
        page.click("table.trials thead th:nth-child(8)")
        rising = page.eval_on_selector_all("table.trials tbody tr", column)
        page.click("table.trials thead th:nth-child(8)")
        falling = page.eval_on_selector_all("table.trials tbody tr", column)
        page.fill("input.filter", "hyperband")
        shown = page.eval_on_selector_all(
            "table.trials tbody tr:not([hidden])", "rows => rows.map(r => r.cells[0].innerText)"
        )
    assert rising == sorted(rising) and falling == sorted(rising, reverse=True)
    assert shown and set(shown) == {"hyperband"}
