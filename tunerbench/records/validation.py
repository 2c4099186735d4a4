"""Records read from files or sent by workers are checked against the dataclasses' own type
hints before anything uses them, so a malformed or hostile record is refused in one line naming
the field, instead of failing later somewhere in the report with a traceback."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import types
import typing
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, Union

# The longest text of a file a message repeats: a field of 100 KB must not fill the terminal.
SHOWN = 80


class RecordError(ValueError):
    """A record that does not have the declared shape; the message names the field."""


@dataclass(frozen=True)
class Rule:
    """What a field's value must be beyond its type, for the report to use it; declared on the
    field as ``Annotated[type, Rule(...)]``, so a record read is refused naming the field rather
    than failing in a section of the report."""

    holds: Callable[[Any], bool]
    needs: str  # completes "result.FIELD must ..."


def _plain_text(text: str) -> bool:
    """Text a name can be: no control or format characters (a newline would start a line of its
    choosing in verdict.md or the terminal; an ANSI escape would rewrite the terminal)."""
    return all(c.isprintable() or unicodedata.category(c) == "Zs" for c in text)


def _iso_time(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


# A name that identifies a run (tuner, problem, session...): shown in headings and sentences.
Name = Annotated[str, Rule(_plain_text, "hold no control characters (newlines, escapes)")]
# When something happened: the report orders and measures spans of runs by it.
Timestamp = Annotated[str, Rule(_iso_time, "be an ISO 8601 time, as 2026-12-06T10:00:00+00:00")]
NonEmpty = Rule(bool, "hold at least one value")
NotNegative = Rule(lambda number: number >= 0, "not be negative")


def escaped(text: str) -> str:
    """``text`` with control characters and lone surrogates written as Python escapes (``\\n``,
    ``\\x1b``), so a file name or value shown in a message stays on its line and cannot drive the
    terminal."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def cut(text: str) -> str:
    """``text`` as a message repeats it: its first ``SHOWN`` characters."""
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}..."


def shown(value: Any) -> str:
    """A value of a file as a message repeats it: escaped, and cut."""
    return cut(escaped(json.dumps(value) if isinstance(value, str) else repr(value)))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _field(where: str, key: str) -> str:
    """A key's place in a message, escaped: a key from a file may hold any character."""
    return f"{where}.{key}" if key.isidentifier() else f"{where}[{shown(key)}]"


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def check(value: Any, hint: Any, where: str) -> Any:
    """``value`` as ``hint`` describes it (a dataclass is built from its dict), or RecordError."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return _plain(value, where)
    if origin is Annotated:
        checked = check(value, args[0], where)
        for rule in args[1:]:
            if not rule.holds(checked):
                raise RecordError(f"{where} must {rule.needs}, not {shown(checked)}")
        return checked
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        concrete = [a for a in args if a is not type(None)]
        faults = []
        for option in concrete:
            try:
                return check(value, option, where)
            except RecordError as exc:
                faults.append(exc)
        # A value of a right type that is wrong itself (NaN) says so, not just its type.
        own = [e for e in faults if not str(e).startswith(f"{where}: expected ")]
        raise own[0] if own else RecordError(f"{where}: expected {hint}, got {_kind(value)}")
    if origin is Literal:  # a field of a few allowed values (a direction: "max" or "min")
        if any(type(value) is type(allowed) and value == allowed for allowed in args):
            return value
        got = shown(value) if isinstance(value, str) else _kind(value)
        raise RecordError(f"{where}: expected one of {', '.join(map(json.dumps, args))}, got {got}")
    if dataclasses.is_dataclass(hint):
        return build(hint, value, where)
    if origin is dict:
        if not isinstance(value, dict):
            raise RecordError(f"{where}: expected an object, got {_kind(value)}")
        return {_text(k, where): check(v, args[1], _field(where, k)) for k, v in value.items()}
    if origin is list:
        if not isinstance(value, list):
            raise RecordError(f"{where}: expected a list, got {_kind(value)}")
        return [check(v, args[0], f"{where}[{i}]") for i, v in enumerate(value)]
    return _scalar(value, hint, where)


def _text(text: str, where: str) -> str:
    """``text`` if it is Unicode that can be written back (JSON's ``"\\ud800"`` reads as a lone
    surrogate, which no UTF-8 file can hold)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordError(f"{where}: {shown(text)} holds a lone surrogate, not text") from None
    return text


def _number(value: int | float, where: str) -> int | float:
    """``value`` if JSON can hold it as read: a NaN, an infinity (or 1e999, read as one) or an
    integer of thousands of digits would be refused when the record is written again."""
    if isinstance(value, float) and not math.isfinite(value):
        raise RecordError(f"{where}: {value} is not a finite number")
    if isinstance(value, int) and abs(value) > 2**63:
        raise RecordError(f"{where}: the number is out of range")
    return value


def _plain(value: Any, where: str) -> Any:
    """A value of a field of any shape, checked to be JSON that writes back as it was read."""
    if isinstance(value, dict):
        return {_text(k, where): _plain(v, _field(where, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str):
        return _text(value, where)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value, where)
    return value


def _scalar(value: Any, hint: Any, where: str) -> Any:
    if isinstance(value, bool) and hint is not bool:
        raise RecordError(f"{where}: expected {hint.__name__}, got a boolean")
    if hint is float and isinstance(value, int | float):
        return _number(value, where)
    if hint is int and isinstance(value, int):
        return _number(value, where)
    if hint is str and isinstance(value, str):
        return _text(value, where)
    if hint is bool and isinstance(value, bool):
        return value
    raise RecordError(f"{where}: expected {getattr(hint, '__name__', hint)}, got {_kind(value)}")


def build(cls: type, raw: Any, where: str, keys: Mapping[str, str] | None = None) -> Any:
    """An instance of dataclass ``cls`` from ``raw``: required fields present, every field of
    its declared type; fields it does not know are ignored (newer writers add fields).

    ``keys`` names the key in ``raw`` of a field whose key is not its name (a part of a flat
    record: ``accuracy`` read from ``test_accuracy``); messages name the key, as the file has it.
    """
    if not isinstance(raw, dict):
        raise RecordError(f"{where}: expected an object, got {_kind(raw)}")
    hints = _hints(cls)
    values = {}
    for spec in dataclasses.fields(cls):
        key = keys.get(spec.name, spec.name) if keys else spec.name
        if key in raw:
            values[spec.name] = check(raw[key], hints[spec.name], f"{where}.{key}")
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise RecordError(f"{where}: missing field {key}")
    return cls(**values)
