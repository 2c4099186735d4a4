"""Session folders as a finished (or killed) session leaves them: recorded, not held."""

from __future__ import annotations

from pathlib import Path

from tunerbench.run import run_folder
from tunerbench.run.options import BenchOptions

DATA = "digits:abc"


def session_folder(output: Path, name: str, options: BenchOptions, data: str = DATA) -> Path:
    folder = output / "runs" / name
    run_folder.create(folder, name, options, data).release()
    return folder
