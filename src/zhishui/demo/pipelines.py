"""The set-up steps ``zhishui demo`` runs, in order. Each app that has data to load or a pipeline to
run adds a step here; a step returns facts the demo needs later (e.g. which taxpayer the demo
taxpayer account is bound to)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Pipeline:
    title: str
    run: Callable[..., dict | None]


PIPELINES: list[Pipeline] = []
