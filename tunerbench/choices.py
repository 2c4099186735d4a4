"""Named choices (tuners, datasets, profiles, loops): one lookup, one error, one help text.

Every registry of the suite is a ``Choices``, so an unknown name always gets the same one-line
error naming what is allowed, and the command-line help lists the same names the code accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Generic, TypeVar

T = TypeVar("T")


class ChoiceError(ValueError):
    """An unknown name; the message names the kind of thing and every allowed name."""


class Choices(Mapping[str, T], Generic[T]):
    """An ordered, read-only registry of entries by name."""

    def __init__(self, kind: str, entries: Iterable[tuple[str, T]]) -> None:
        self.kind = kind
        self._entries = dict(entries)

    def __getitem__(self, name: str) -> T:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def get_entry(self, name: str) -> T:
        """The entry called ``name``, or a ChoiceError listing the names there are."""
        try:
            return self._entries[name]
        except KeyError:
            raise ChoiceError(
                f"unknown {self.kind} {name!r}; choose one of {', '.join(self.names)}"
            ) from None

    def parse_list(self, spec: str) -> list[str]:
        """A comma list of names, each checked, each once; e.g. ``"random,hyperband"``."""
        names = list(dict.fromkeys(n.strip() for n in spec.split(",") if n.strip()))
        unknown = [n for n in names if n not in self._entries]
        if unknown or not names:
            listed = ", ".join(map(repr, unknown)) or "list (empty)"
            raise ChoiceError(f"unknown {self.kind} {listed}; choose from {', '.join(self.names)}")
        return names

    def help(self, default: str | None = None, describe: Callable[[T], str] | None = None) -> str:
        """The names for a command-line help text, the default marked, each described by
        ``describe`` (the entry's summary) where given."""
        parts = []
        for name, entry in self._entries.items():
            text = f"{name} (default)" if name == default else name
            parts.append(f"{text}: {describe(entry)}" if describe else text)
        return ("; " if describe else ", ").join(parts)
