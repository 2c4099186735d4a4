"""Records read from files or sent by workers are checked against the dataclasses' own type
hints before anything uses them, so a malformed or hostile record is refused in one line naming
the field, instead of failing later somewhere in the report with a traceback."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal, Union


class RecordError(ValueError):
    """A record that does not have the declared shape; the message names the field."""


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _field(where: str, key: str) -> str:
    """A key's place in a message, escaped: a key from a file may hold any character."""
    return f"{where}.{key}" if key.isidentifier() else f"{where}[{json.dumps(key)}]"


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def check(value: Any, hint: Any, where: str) -> Any:
    """``value`` as ``hint`` describes it (a dataclass is built from its dict), or RecordError."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        concrete = [a for a in args if a is not type(None)]
        for option in concrete:
            try:
                return check(value, option, where)
            except RecordError:
                continue
        raise RecordError(f"{where}: expected {hint}, got {_kind(value)}")
    if origin is Literal:  # a field of a few allowed values (a direction: "max" or "min")
        if any(type(value) is type(allowed) and value == allowed for allowed in args):
            return value
        shown = json.dumps(value) if isinstance(value, str) else _kind(value)
        raise RecordError(
            f"{where}: expected one of {', '.join(map(json.dumps, args))}, got {shown}"
        )
    if dataclasses.is_dataclass(hint):
        return build(hint, value, where)
    if origin is dict:
        if not isinstance(value, dict):
            raise RecordError(f"{where}: expected an object, got {_kind(value)}")
        return {k: check(v, args[1], _field(where, k)) for k, v in value.items()}
    if origin is list:
        if not isinstance(value, list):
            raise RecordError(f"{where}: expected a list, got {_kind(value)}")
        return [check(v, args[0], f"{where}[{i}]") for i, v in enumerate(value)]
    return _scalar(value, hint, where)


def _scalar(value: Any, hint: Any, where: str) -> Any:
    if isinstance(value, bool) and hint is not bool:
        raise RecordError(f"{where}: expected {hint.__name__}, got a boolean")
    if hint is float and isinstance(value, int | float):
        if isinstance(value, int) and abs(value) > 2**63:
            raise RecordError(f"{where}: the number is out of range")
        return value
    if hint is int and isinstance(value, int):
        if abs(value) > 2**63:
            raise RecordError(f"{where}: the number is out of range")
        return value
    if hint in (str, bool) and isinstance(value, hint):
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
