"""The one registry of calculators: name, titles, input dataclass, JSON Schema, calculate().

Calculator modules register themselves with ``@calculator``; ``get`` and ``all_calculators``
import the package so the registry is complete whichever entry point is used first.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from zhishui.core.errors import ValidationFailure

from . import inputs
from .breakdown import Result
from .parameters import ParameterSet, default_parameters

_REGISTRY: dict[str, Calculator] = {}


@dataclass(frozen=True)
class Calculator:
    name: str
    title_zh: str
    title_en: str
    input_type: type
    func: Callable[[object, ParameterSet], Result]

    @cached_property
    def schema(self) -> dict:
        schema = inputs.json_schema(self.input_type)
        schema["title"] = f"{self.title_zh} — {self.title_en}"
        return schema

    def parse(self, payload: dict) -> object:
        return inputs.parse(self.input_type, payload)

    def calculate(self, data: object, params: ParameterSet | None = None) -> Result:
        """Validate ``data`` (a payload dict or the input dataclass) and run the calculation."""
        if isinstance(data, self.input_type):
            data = inputs.to_payload(data)
        return self.func(self.parse(data), params or default_parameters())


def calculator(name: str, title_zh: str, title_en: str, input_type: type):
    """Register ``func(input, params) -> Result`` under ``name``."""
    if not dataclasses.is_dataclass(input_type):
        raise TypeError(f"{name}: input type must be a dataclass")

    def register(func):
        if name in _REGISTRY:
            raise ValueError(f"calculator {name} registered twice")
        _REGISTRY[name] = Calculator(name, title_zh, title_en, input_type, func)
        return func

    return register


def _load() -> None:
    importlib.import_module("zhishui.law.calculators")


def all_calculators() -> list[Calculator]:
    _load()
    return list(_REGISTRY.values())


def get(name: str) -> Calculator:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValidationFailure("calculator", f"没有名为「{name}」的计算器",
                                f"no calculator named '{name}'", name, code="not_found") from None
