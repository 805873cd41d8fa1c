"""Edits of a parsed JSON data file, for tests that break one value and expect the loader's error
(``pythonpath`` in pyproject.toml puts this folder on the path).

A path is dotted keys; a part that indexes a list is its position: ``"periods.0.valid_to"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Edit = Callable[[dict[str, Any]], None]


def _parent(data: dict[str, Any], parents: list[str]) -> Any:
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def put(path: str, value: object) -> Edit:
    """An edit that sets the value at ``path``."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = _parent(data, parents)
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return edit


def drop(path: str) -> Edit:
    """An edit that deletes the key at ``path``."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        del _parent(data, parents)[last]

    return edit
