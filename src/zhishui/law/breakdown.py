"""The explained result of a calculation: reported amounts plus one line per step.

Every line carries its formula in words and the parameter versions (value, validity, citation)
it used, so a figure on a return can be traced to the article that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from zhishui.core.money import fen

from .parameters import ParamValue, render_value

MONEY, RATE, QUANTITY, FLAG, TEXT = "money", "rate", "quantity", "flag", "text"


@dataclass(frozen=True)
class Line:
    key: str
    label_zh: str
    label_en: str
    value: object
    kind: str = MONEY
    formula_zh: str = ""
    formula_en: str = ""
    params: tuple[ParamValue, ...] = ()

    def as_dict(self) -> dict:
        return {"key": self.key, "label_zh": self.label_zh, "label_en": self.label_en, "kind": self.kind,
                "value": render(self.value, self.kind), "formula_zh": self.formula_zh,
                "formula_en": self.formula_en, "params": [p.name for p in self.params]}


def render(value: object, kind: str) -> object:
    if kind == MONEY:
        return f"{fen(value):.2f}"
    if isinstance(value, Decimal):
        return format(value.normalize() if value == value.to_integral() else value, "f")
    return render_value(value)


@dataclass
class Result:
    """``amounts``: the figures a form reports, each rounded half-up to the fen."""

    amounts: dict[str, Decimal] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)

    def money(self, key: str, label_zh: str, label_en: str, value: Decimal, formula_zh: str = "",
              formula_en: str = "", params: tuple[ParamValue, ...] = (), *, report: bool = False) -> Decimal:
        """Record an amount rounded half-up to the fen and return the rounded figure."""
        amount = fen(value)
        self.lines.append(Line(key, label_zh, label_en, amount, MONEY, formula_zh, formula_en, params))
        if report:
            self.amounts[key] = amount
        return amount

    def note(self, key: str, label_zh: str, label_en: str, value: object, kind: str, formula_zh: str = "",
             formula_en: str = "", params: tuple[ParamValue, ...] = ()) -> object:
        """Record a rate, quantity, flag or text that explains a step; returns it unchanged."""
        self.lines.append(Line(key, label_zh, label_en, value, kind, formula_zh, formula_en, params))
        return value

    def params_used(self) -> list[ParamValue]:
        seen: dict[tuple, ParamValue] = {}
        for line in self.lines:
            for p in line.params:
                seen.setdefault((p.name, p.start), p)
        return list(seen.values())

    def line(self, key: str) -> Line:
        return next(line for line in self.lines if line.key == key)
