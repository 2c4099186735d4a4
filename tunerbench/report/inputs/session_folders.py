"""Where the sessions of the results read were saved: the folder a next run that grows a session
must name. Read from the files' paths and the run folders beside them, never from the runner
(``tunerbench/run/run_folder.py`` writes them; the report reads files only)."""

from __future__ import annotations

from pathlib import Path

from tunerbench.records.results_file import session_of

# Where pytest bench/ keeps each session's folder, and the record that makes one resumable.
RUN_FOLDERS = "runs"
SESSION_RECORD = "session.json"


def session_folders(sources: list[str]) -> dict[str, Path]:
    """The ``--tb-output`` of each session these files can grow: the folder of a session's own
    results file (``<output>/tunerbench-<session>.json``), and the folder of any file read
    that holds the session's folder (``<output>/runs/<session>/session.json``, what
    ``--tb-resume`` looks for), which wins. So a re-render says what the verdict at the end of
    the run said as long as the session's folder is there: of its results file, renamed or
    copied into that folder, or of pytest-benchmark's JSON saved there."""
    folders = [Path(source).parent for source in sources]
    named = ((session_of(Path(source)), Path(source).parent) for source in sources)
    held = (
        (meta.parent.name, folder)
        for folder in dict.fromkeys(folders)
        for meta in sorted((folder / RUN_FOLDERS).glob(f"*/{SESSION_RECORD}"))
    )
    return {session: folder for session, folder in named if session is not None} | dict(held)
