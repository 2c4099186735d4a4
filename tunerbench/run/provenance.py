"""Where and with what a result was measured: the machine and the framework versions."""

from __future__ import annotations

import os
import platform
from typing import Any


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
    }


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
}


def installed_versions() -> dict[str, str]:
    """The installed versions of tunerbench and the frameworks, from package metadata only, so
    the session can compare them without importing TensorFlow."""
    from importlib import metadata

    found = {}
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


def version_mismatch(expected: dict[str, str], found: dict[str, str]) -> str | None:
    """A description of what differs, or None when every checked version matches."""
    differ = [
        f"{name} {found.get(name, '?')} (expected {version})"
        for name, version in expected.items()
        if found.get(name) != version
    ]
    return ", ".join(differ) or None
