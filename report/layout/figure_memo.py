"""Figures kept by what they are drawn from: a figure asked for again in this process with the
same drawing function and the same arguments is the SVG (and PNG) drawn the first time.

The DSMB update draws its accrual figure for the open and the closed report from the same
numbers, and `watch` redraws after every edit; each is then drawn once. The key is the
SHA-256 of the function's name and its pickled arguments (floats exactly, arrays whole), with
whether a mock shell is being laid out: equal keys mean equal inputs. Arguments that cannot be
pickled are drawn every time. The most recent KEPT drawings are kept.
"""
from __future__ import annotations

import hashlib
import pickle
from collections import OrderedDict
from typing import Any, Callable

KEPT = 32
_KEPT: OrderedDict[bytes, tuple[str, bytes | None]] = OrderedDict()

Drawing = tuple[str, bytes | None]  # the SVG, and the PNG where one was asked for


def kept_or_drawn(inputs: tuple[Any, ...], draw: Callable[[], Drawing], png: bool) -> Drawing:
    """The drawing kept for `inputs` (the drawing function first), else `draw()`, then kept.
    With `png`, only a drawing kept with its PNG will do."""
    key = _key(inputs)
    kept = _KEPT.get(key) if key is not None else None
    if kept is not None and (kept[1] is not None or not png):
        _KEPT.move_to_end(key)
        return kept
    drawing = draw()
    if key is not None:
        _KEPT[key] = drawing
        while len(_KEPT) > KEPT:
            _KEPT.popitem(last=False)
    return drawing


def _key(inputs: tuple[Any, ...]) -> bytes | None:
    function, *rest = inputs
    try:
        data = pickle.dumps((function.__module__, function.__qualname__, rest), protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return hashlib.sha256(data).digest()
