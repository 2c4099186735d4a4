"""Each ``--tb-*`` value checked on its own: whole numbers, the region of practical
equivalence, the cluster address and its TLS files. Every fault is one ``OptionsError`` line
naming the option and what it takes, raised before anything is loaded or trained."""

from __future__ import annotations

import os
from pathlib import Path

from tunerbench.report.decision.rope import parse_rope


class OptionsError(ValueError):
    """A bad command-line value; the message names the option and what is allowed."""


def positive(flag: str, value: str | int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise OptionsError(f"{flag} must be a positive whole number, got {str(value)!r}")
    return number


def check_rope(value: str | float) -> float:
    try:
        return parse_rope("--tb-rope", value)
    except ValueError as exc:
        raise OptionsError(str(exc)) from None


def check_tls(
    cluster: str | None, ca: str | None, cert: str | None, key: str | None
) -> tuple[str, str, str] | None:
    """The three TLS files, given together, readable, and only for a tls:// scheduler; None
    leaves the certificates to Dask's own configuration (distributed.comm.tls)."""
    given = [f for f in (ca, cert, key) if f]
    if not given:
        return None
    if not (cluster or "").startswith("tls://"):
        raise OptionsError("--tb-tls-ca/--tb-tls-cert/--tb-tls-key go with --tb-cluster tls://...")
    if len(given) < 3:
        raise OptionsError(
            "--tb-tls-ca, --tb-tls-cert and --tb-tls-key go together: give all three"
        )
    for flag, file in (("--tb-tls-ca", ca), ("--tb-tls-cert", cert), ("--tb-tls-key", key)):
        if not Path(str(file)).is_file() or not os.access(str(file), os.R_OK):
            raise OptionsError(f"{flag} {file}: no such readable file")
    return str(ca), str(cert), str(key)


SCHEDULER_SCHEMES = ("tcp://", "tls://")


def local_workers(cluster: str | None) -> int | None:
    """N of ``--tb-cluster local:N``; None for a scheduler address or no cluster. The one reading
    of ``local:N``, so the check up front and the cluster started from it cannot disagree."""
    if cluster is None or not cluster.startswith("local:"):
        return None
    return positive("--tb-cluster local:N", cluster.removeprefix("local:"))


def check_cluster(value: str | None) -> str | None:
    """``local:N`` with N >= 1, or a scheduler address such as ``tcp://HOST:PORT``."""
    if value is None or local_workers(value):
        return value
    if value.startswith(SCHEDULER_SCHEMES) and value.split("://", 1)[1]:
        return value
    raise OptionsError(
        f"--tb-cluster must be local:N or a scheduler address like tcp://HOST:8786, got {value!r}"
    )


def check_table(value: str | None) -> Path | None:
    """A table file to replay: it must be there and readable (its content is checked when the
    session opens, before any tuner runs)."""
    if value is None:
        return None
    path = Path(value)
    if not path.is_file() or not os.access(path, os.R_OK):
        raise OptionsError(
            f"--tb-replay {value}: no such readable table; make one with --tb-tabulate "
            "(it is saved under <output>/tables/)"
        )
    return path
