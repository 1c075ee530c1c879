"""Helpers for the law tests: run a calculator by name and read its amounts as Decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhishui.law.breakdown import Result
from zhishui.law.parameters import ParameterSet, default_parameters
from zhishui.law.registry import get


def calc(name: str, payload: dict, params: ParameterSet | None = None) -> Result:
    return get(name).calculate(payload, params or default_parameters())


def amounts(name: str, payload: dict, params: ParameterSet | None = None) -> dict[str, Decimal]:
    return calc(name, payload, params).amounts


@pytest.fixture
def params() -> ParameterSet:
    return default_parameters()
