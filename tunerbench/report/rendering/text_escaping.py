"""Every value a template writes, escaped for what it writes: the report's HTML (Jinja's
autoescaping), verdict.md (Markdown a job summary renders, HTML inside it too) and the
terminal's text, so no name read from a file writes a heading, a link, a line or a terminal
escape of its choosing. ``templates.environment`` installs these as its ``finalize`` and its
``code`` filter."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

import markupsafe

from tunerbench.records.validation import escaped

# What a template writes: the report's HTML, verdict.md (Markdown a job summary renders, HTML
# inside it too) or the terminal's text.
Output = Literal["html", "markdown", "text"]
# Characters that would make Markdown of a value (a problem's name, a version, a hyperparameter's
# value): emphasis, code, links and images, headings, tables, strikethrough (``<`` and ``&`` are
# escaped as HTML); an underscore inside a word is text to CommonMark and stays as it is
# (``fashion_mnist``).
_MARKDOWN = re.compile(r"[\\`*\[\]#|~!]|(?<![^\W_])_|_(?![^\W_])")


def markdown_text(value: Any) -> Any:
    """A value as verdict.md writes it, escaped as HTML is in the report: kept on its line
    (control characters shown as escapes), its Markdown and HTML written as text, so no name
    read from a file writes a heading or a link of its choosing. A macro's output (Markup) has
    its values escaped already."""
    if isinstance(value, markupsafe.Markup):
        return value
    return markupsafe.escape(_MARKDOWN.sub(r"\\\g<0>", escaped(str(value))))


def terminal_text(value: Any) -> Any:
    """A value as the terminal's text writes it: control characters (a newline, an ANSI escape)
    shown as escapes, so nothing read from a file adds lines or drives the terminal. The text
    environment autoescapes like the others so that a macro's output (Markup, its values done
    already) keeps its own lines; the HTML entities that escaping adds are undone once the
    whole text is rendered (``_text``)."""
    if isinstance(value, markupsafe.Markup):
        return value
    return markupsafe.Markup(escaped(str(value)))


def code_filter(markup: Output) -> Callable[[str], str]:
    """The ``code`` filter: a command in an indented code block, written as it is (Markdown and
    entities are literal there) on its one line."""

    def code(text: str) -> str:
        return text if markup == "html" else markupsafe.Markup(escaped(text))

    return code
