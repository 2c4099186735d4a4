"""Where and with what a result was measured: the machine and the framework versions, and
what must match between a session and every worker that runs its pipelines."""

from __future__ import annotations

import hashlib
import os
import platform
from functools import cache
from pathlib import Path
from typing import Any

import tunerbench


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            names = [
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            ]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "host": platform.node(),
        "blas": blas_libraries(),
    }


def blas_libraries() -> list[dict[str, Any]]:
    """The BLAS libraries loaded (NumPy's, SciPy's: scikit-learn's arithmetic), with the kernel
    each chose for this CPU: two machines with one seed and versions but other kernels sum in
    another order, so scikit-learn's runs match between them only where these do."""
    import numpy  # noqa: F401  (loads NumPy's BLAS, as a pipeline already has)
    import scipy.linalg  # noqa: F401  (SciPy's, scikit-learn's MLP among its users)
    from threadpoolctl import threadpool_info

    keys = ("internal_api", "version", "architecture", "prefix")
    return [
        {k: pool.get(k) for k in keys} for pool in threadpool_info() if pool["user_api"] == "blas"
    ]


def framework_versions() -> dict[str, str]:
    import keras
    import keras_tuner
    import numpy
    import sklearn
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "keras_tuner": keras_tuner.__version__,
        "numpy": numpy.__version__,
        "scikit_learn": sklearn.__version__,
    }


# What must match between the session and every process that runs its pipelines: the
# distribution names whose installed versions are compared (read without importing them).
CHECKED_DISTRIBUTIONS = {
    "tunerbench": ("tunerbench",),
    "tensorflow": ("tensorflow-cpu", "tensorflow"),
    "keras": ("keras",),
    "keras_tuner": ("keras-tuner",),
    "numpy": ("numpy",),
    "scikit_learn": ("scikit-learn",),
}


@cache
def code_fingerprint() -> str:
    """SHA-256 over tunerbench's own Python source as installed: two installs with the same
    version number but other code (an edited checkout) tell apart, while an editable install
    and a wheel of one commit agree (templates, which only the session renders, are left out)."""
    root = Path(tunerbench.__file__).parent
    digest = hashlib.sha256()
    files = [p for p in root.rglob("*.py") if p.is_file()]
    for path in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def installed_versions() -> dict[str, str]:
    """Python, tunerbench's version and code, and the frameworks' versions, from package
    metadata only, so the session can compare them without importing TensorFlow."""
    from importlib import metadata

    found = {"python": platform.python_version(), "tunerbench_code": code_fingerprint()}
    for name, distributions in CHECKED_DISTRIBUTIONS.items():
        for distribution in distributions:
            try:
                found[name] = metadata.version(distribution)
                break
            except metadata.PackageNotFoundError:
                continue
        else:
            found[name] = "not installed"
    return found


def version_mismatch(expected: dict[str, str], found: Any) -> str | None:
    """A description of what differs, or None when every checked version matches (``found``
    comes from a worker: anything but a dict of versions is a mismatch too)."""
    if not isinstance(found, dict):
        return f"no versions it can tell (it answered {type(found).__name__})"
    differ = [
        f"{name} {found.get(name, '?')} (expected {version})"
        for name, version in expected.items()
        if found.get(name) != version
    ]
    return ", ".join(differ) or None
