"""``"module:attribute"`` references: how registries and problems name what they build.

A reference is a string, so a registry loads without importing what it names (no TensorFlow to
read options or results), and a problem travels as JSON to the process that builds it. A
reference may carry the folder its module is imported from: a user's benchmark module is not
installed, so the process that runs its problem must find it where the session found it.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any


class BadReference(ValueError):
    """A reference that does not name an importable attribute; the message says which."""


def resolve(reference: str, folder: str = "") -> Any:
    """The attribute ``reference`` names, importing its module (from ``folder`` if given)."""
    module, _, attribute = reference.partition(":")
    if not module or not attribute:
        raise BadReference(f"{reference!r} is not a 'module:attribute' reference")
    if folder and folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        target: Any = importlib.import_module(module)
        for part in attribute.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        where = f" (from {folder})" if folder else ""
        raise BadReference(f"cannot load {reference}{where}: {exc}") from None
    return target


def reference_to(obj: Any) -> tuple[str, str]:
    """The reference to a module-level function or class, and the folder its module is
    imported from ("" for tunerbench's own modules, which every process has installed)."""
    module, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", "")
    if not module or not name or module == "__main__" or "<" in name:
        raise BadReference(
            f"{obj!r} must be a function or class defined at the top level of an importable "
            "module (not in __main__, not nested), so the pipeline's process can import it"
        )
    if module.split(".")[0] == "tunerbench":
        return f"{module}:{name}", ""
    path = Path(getattr(sys.modules[module], "__file__", "") or "")
    levels = module.count(".") + (1 if path.name == "__init__.py" else 0)
    return f"{module}:{name}", str(path.resolve().parents[levels]) if path.name else ""
