"""The 税收分类编码 (tax classification code) table and the rates each code allows.

The table is ``data/goods_codes.csv``: code (19 digits), 简称 (short name printed as
``*简称*名称``), name, category, the rates a general taxpayer may use, the levy rates a small-scale
taxpayer may use, the VAT Law article, and where the row comes from (see ``data/README.md``:
``public`` rows were checked against public usage, ``hierarchy`` rows are category-level codes
padded with zeros, ``illustrative`` rows are demo codes that are not in the official table).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from zhishui.core.errors import ValidationFailure

DATA = Path(__file__).resolve().parent / "data" / "goods_codes.csv"
GENERAL, SMALL_SCALE = "general", "small_scale"


@dataclass(frozen=True)
class GoodsCode:
    code: str
    short_name: str
    name: str
    category: str
    general_rates: tuple[Decimal, ...]
    small_scale_rates: tuple[Decimal, ...]
    vat_law: str
    source: str
    note: str

    def rates_for(self, vat_status: str) -> tuple[Decimal, ...]:
        return self.small_scale_rates if vat_status == SMALL_SCALE else self.general_rates

    def item_name(self, name: str) -> str:
        """The printed item name ``*简称*名称`` (the name defaults to the code's own name)."""
        name = (name or "").strip()
        if name.startswith("*") and name.count("*") >= 2:
            name = name.split("*", 2)[2]
        return f"*{self.short_name}*{name or self.name}"


def _rates(text: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(p) for p in text.split("|") if p)


@lru_cache(maxsize=1)
def table() -> dict[str, GoodsCode]:
    with DATA.open(encoding="utf-8") as fh:
        return {row["code"]: GoodsCode(row["code"], row["short_name"], row["name"], row["category"],
                                       _rates(row["general_rates"]), _rates(row["small_scale_rates"]),
                                       row["vat_law"], row["source"], row["note"])
                for row in csv.DictReader(fh)}


def lookup(code: object, field: str = "goods_code") -> GoodsCode:
    text = str(code or "").strip()
    if len(text) != 19 or not text.isdigit():
        raise ValidationFailure(field, "税收分类编码应为19位数字", "the tax classification code is 19 digits", code)
    found = table().get(text)
    if found is None:
        raise ValidationFailure(field, f"未知的税收分类编码“{text}”", f"unknown tax classification code {text}", code)
    return found


def format_rate(rate: Decimal) -> str:
    """0.13 → "13%", 0.015 → "1.5%"."""
    percent = (rate * 100).normalize()
    return f"{percent:f}%"


def check_rate(goods: GoodsCode, rate: Decimal, vat_status: str, field: str = "tax_rate") -> None:
    allowed = goods.rates_for(vat_status)
    if rate not in allowed:
        who_zh = "小规模纳税人" if vat_status == SMALL_SCALE else "一般纳税人"
        who_en = "a small-scale taxpayer" if vat_status == SMALL_SCALE else "a general taxpayer"
        listed = "、".join(format_rate(r) for r in allowed)
        raise ValidationFailure(
            field, f"税率/征收率{format_rate(rate)}不适用于“{goods.short_name}/{goods.name}”（{who_zh}可用：{listed}；"
                   f"{goods.vat_law}）",
            f"rate {format_rate(rate)} is not allowed for {goods.code} for {who_en} "
            f"(allowed: {', '.join(format_rate(r) for r in allowed)})", str(rate))


def catalogue(vat_status: str) -> list[dict]:
    """The table as plain data for the issue form (code, printed short name, name, allowed rates)."""
    return [{"code": g.code, "short": g.short_name, "name": g.name,
             "rates": [str(r) for r in g.rates_for(vat_status)]} for g in table().values()]
