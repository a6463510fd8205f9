"""TODO markers in a trial spec: the values `trialreport init` writes for what it could not
infer from the data. A value beginning with "TODO" is never taken as the user's: `validate`
and `build` stop (exit 2) listing every such key with its file and key path, and the hint
the marker carries.

```toml
title = "TODO: the trial's full title, as on the protocol"
responders = ["TODO: the best-response codes that count as response, e.g. CR, PR"]
```
"""
from __future__ import annotations

from ..errors import Problem

MARKER = "TODO"


def is_todo(value: object) -> bool:
    return isinstance(value, str) and value.lstrip().startswith(MARKER)


def todo_keys(raw: dict) -> list[tuple[str, str]]:
    """(key path, hint) of every TODO value, in the file's order. A TODO string inside a
    list of strings is reported at the list's key; tables inside lists carry their index
    (`adam.endpoints.0.origin`)."""
    found: list[tuple[str, str]] = []
    _walk(raw, "", found)
    return found


def _walk(value: object, key: str, found: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _walk(item, f"{key}.{name}" if key else str(name), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if is_todo(item):
                found.append((key, _hint(item)))
            elif isinstance(item, (dict, list)):
                _walk(item, f"{key}.{index}", found)
    elif is_todo(value):
        found.append((key, _hint(value)))


def _hint(value: str) -> str:
    return value.lstrip()[len(MARKER):].lstrip(" :-").strip()


def todo_problems(raw: dict, file: str) -> list[Problem]:
    """One problem per TODO key: "<file>: <key>: fill in <hint> (a TODO left by trialreport init)"."""
    return [Problem(file, f"{key}: fill in {hint or 'this value'} (a TODO left by trialreport init)")
            for key, hint in todo_keys(raw)]


def under_todo(problem_key: str, keys: set[str]) -> bool:
    """Whether a validation problem's key path is a TODO key or lies within one (its
    pattern or type error says nothing the TODO problem does not)."""
    return any(problem_key == key or problem_key.startswith(key + ".") for key in keys)
