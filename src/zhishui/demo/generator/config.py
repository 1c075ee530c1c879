"""Every rate, share and strength of the synthetic district, in one frozen dataclass tree.

``GeneratorConfig()`` is the calibrated default (金台区, a full district year at ``scale=1``). A YAML
file overrides any part of it (``zhishui generate --config FILE``)::

    scale: 0.1
    schemes:
      fake_invoicing_ring: {rate: 4.0, strength: 1.5}
    compliance:
      never_band: [0.0, 0.10]

Unknown keys are errors, so a typo never silently leaves a default in place.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from zhishui.core.errors import ValidationFailure


@dataclass(frozen=True)
class SchemeParams:
    """One planted irregularity or look-alike.

    ``rate`` is the number of schemes per 1,000 entities of the kind's base population (``base``:
    ``enterprises``, ``individual_businesses`` or ``entities``, counted before any scheme is
    planted); at least ``min_count`` are planted whatever the scale. ``strength`` scales how far the
    scheme's behaviour departs from a normal taxpayer (1.0 is the documented default; 0.5 is
    subtler, 2.0 blatant).
    """

    rate: float
    strength: float = 1.0
    base: str = "enterprises"
    min_count: int = 1


def _p(rate: float, base: str = "enterprises") -> SchemeParams:
    return SchemeParams(rate=rate, base=base)


# Defaults: schemes per 1,000 entities of the base population.
_RING, _SHELL, _VANISHED, _NO_PURCHASES, _CAP = _p(1.2), _p(3.0), _p(3.0), _p(3.0), _p(3.0)
_EXPORT, _UNREPORTED, _SPLITTING, _BOUGHT = _p(1.0), _p(2.0, "entities"), _p(1.0, "individual_businesses"), _p(4.0)
_SEASONAL, _STARTUP, _THIN, _NEAR, _AGENCY = _p(4.0), _p(3.0), _p(4.0), _p(4.0, "individual_businesses"), _p(2.0)


@dataclass(frozen=True)
class Schemes:
    """Planted irregularities (labels in ``truth/labels.csv``); see docs/generator.md."""

    fake_invoicing_ring: SchemeParams = _RING            # 虚开 rings of 3-6 controlled entities
    shell_company: SchemeParams = _SHELL                 # 空壳: invoicing, no staff, no power
    vanished: SchemeParams = _VANISHED                   # 走逃失联: burst of invoicing, then gone
    sales_without_purchases: SchemeParams = _NO_PURCHASES  # 进销不匹配
    invoice_cap: SchemeParams = _CAP                     # 顶额开票
    export_refund_fraud: SchemeParams = _EXPORT          # 骗取出口退税 patterns
    unreported_sales: SchemeParams = _UNREPORTED         # 隐瞒收入
    turnover_splitting: SchemeParams = _SPLITTING        # 拆分经营
    bought_invoices: SchemeParams = _BOUGHT              # 虚列成本 (buys invoices)


@dataclass(frozen=True)
class Lookalikes:
    """Legitimate taxpayers that look unusual (``truth/lookalikes.csv``); never labelled irregular."""

    seasonal: SchemeParams = _SEASONAL                   # most sales in three months
    startup: SchemeParams = _STARTUP                     # heavy purchases before first sales
    thin_margin_trader: SchemeParams = _THIN             # genuine trading at 1-3 % margins
    near_threshold: SchemeParams = _NEAR                 # just under the exemption threshold
    bookkeeping_agency: SchemeParams = _AGENCY           # one clerk is 办税人员 of dozens of firms


@dataclass(frozen=True)
class Compliance:
    """Filing behaviour. Every taxpayer is diligent, sloppy or delinquent; the mixture gives the
    district's overall rates, which must fall inside the bands (a distribution test checks it)."""

    diligent_share: float = 0.82
    sloppy_share: float = 0.15           # the rest are delinquent
    diligent_late: float = 0.015
    diligent_never: float = 0.003
    sloppy_late: float = 0.22
    sloppy_never: float = 0.06
    delinquent_late: float = 0.30
    delinquent_never: float = 0.45
    late_mean_days: float = 20.0
    arrears_share: float = 0.02          # filed but paid late or in part
    on_time_band: tuple[float, float] = (0.86, 0.96)
    late_band: tuple[float, float] = (0.03, 0.09)
    never_band: tuple[float, float] = (0.005, 0.06)


@dataclass(frozen=True)
class Economy:
    """Size of the district and the shape of its economy."""

    entities_full_scale: int = 36_000          # market entities with a USCC at scale 1.0
    invoices_full_scale: int = 5_000_000       # invoices per year at scale 1.0 (blue + red)
    value_added_full_scale: float = 32e9       # yuan per year: Jintai's GDP is of this order
    sector_value_added: tuple[float, float, float] = (0.007, 0.617, 0.376)  # 一产 : 二产 : 三产
    sector_band: float = 0.03                  # distribution test tolerance (absolute)
    individual_per_enterprise: float = 3.0     # 个体工商户 : 企业
    other_share: float = 0.015                 # 农民专业合作社 and other organisations
    individual_without_uscc: float = 0.06      # extra 个体户 registered for tax by ID number only
    enterprise_pareto_alpha: float = 1.05      # heavy tail of enterprise sales
    key_taxpayer_share: float = 0.004          # enterprises drawn as key taxpayers (重点税源), 3-20亿 a year
    top1_share_min: float = 0.4                # top 1 % of sellers carry at least this share of sales
    general_threshold_yuan: float = 5_000_000  # annual sales above this: 一般纳税人
    voluntary_general_enterprise: float = 0.22
    voluntary_general_individual: float = 0.01
    entry_rate: float = 0.10                   # entities founded per year, share of the stock
    exit_rate: float = 0.06                    # entities closed per year
    closed_before_span: float = 0.03           # deregistered before the span (no activity)
    local_b2b_share: float = 0.30              # of B2B sales, sold to buyers in the district
    invoiced_input_enterprise: float = 0.9     # share of purchases that come with an invoice
    invoiced_input_individual: float = 0.45
    red_rate: float = 0.012                    # blue invoices later reversed (red), fully or in part
    red_full_share: float = 0.6
    deduction_confirm_rate: float = 0.95       # 用途确认 of special invoices by local general taxpayers
    b2c_named_buyer_share: float = 0.25        # B2C invoices naming a person (ID number)
    external_firms_per_entity: float = 0.2     # counterparties outside the district
    meter_enterprise: float = 0.95             # entities with their own electricity/water meters
    meter_individual: float = 0.7
    social_insurance_enterprise: float = 0.85  # employers that pay social insurance
    social_insurance_individual: float = 0.12
    contribution_rate: tuple[float, float] = (0.29, 0.34)  # employer + employee, of the wage base
    new_homes_full_scale: int = 4_000          # new-home sales per year
    resales_full_scale: int = 3_000            # second-hand home sales per year
    commercial_transfers_full_scale: int = 150
    flow_shares: tuple[float, float, float] = (0.34, 0.46, 0.20)  # B2B sold / B2C / bought from outside


@dataclass(frozen=True)
class GeneratorConfig:
    scale: float = 1.0
    seed: int = 610303
    months: int = 12
    district: str = "610303"
    as_of: date | None = None       # None: today (Asia/Shanghai); fix it for byte-identical output
    economy: Economy = field(default_factory=Economy)
    compliance: Compliance = field(default_factory=Compliance)
    schemes: Schemes = field(default_factory=Schemes)
    lookalikes: Lookalikes = field(default_factory=Lookalikes)

    def with_overrides(self, **values) -> GeneratorConfig:
        return dataclasses.replace(self, **{k: v for k, v in values.items() if v is not None})

    def validate(self) -> GeneratorConfig:
        if not 0 < self.scale <= 20:
            raise ValidationFailure("scale", "规模应在0到20之间（1.0为一个完整的区）",
                                    "scale must be in (0, 20]; 1.0 is a full district", self.scale)
        if not 3 <= self.months <= 36:
            raise ValidationFailure("months", "月数应在3到36之间（至少一个完整季度）",
                                    "months must be 3 to 36 (at least a full quarter)", self.months)
        if not 0 <= self.seed < 2**63:
            raise ValidationFailure("seed", "随机种子应为非负整数", "seed must be a non-negative integer",
                                    self.seed)
        shares = self.economy.sector_value_added
        if abs(sum(shares) - 1) > 1e-6 or min(shares) < 0:
            raise ValidationFailure("economy.sector_value_added", "三次产业占比之和应为1",
                                    "the three sector shares must add up to 1", shares)
        c = self.compliance
        if c.diligent_share + c.sloppy_share > 1:
            raise ValidationFailure("compliance", "守法与拖沓纳税人占比之和不能超过1",
                                    "diligent + sloppy shares exceed 1", c.diligent_share + c.sloppy_share)
        for group in (self.schemes, self.lookalikes):
            for f in dataclasses.fields(group):
                p: SchemeParams = getattr(group, f.name)
                if p.base not in ("enterprises", "individual_businesses", "entities"):
                    raise ValidationFailure(f"{f.name}.base", "基数应为enterprises、individual_businesses或"
                                            "entities", "base must be enterprises, individual_businesses "
                                            "or entities", p.base)
                if p.rate < 0 or p.strength <= 0 or p.min_count < 0:
                    raise ValidationFailure(f.name, "比率不能为负，强度应为正",
                                            "rate must be >= 0 and strength > 0", p)
        return self


def _coerce(value, hint, path: str):
    """Turn a YAML value into the type the dataclass field declares, or fail naming the key."""
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        raise ValidationFailure(path, "应为映射（键: 值）", "expected a mapping", value)
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, list | tuple) or len(value) != len(args):
            raise ValidationFailure(path, f"应为{len(args)}个数的列表", f"expected a list of {len(args)}",
                                    value)
        return tuple(_coerce(v, a, f"{path}[{i}]") for i, (v, a) in enumerate(zip(value, args, strict=True)))
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _coerce(value, args[0], path)
    if hint is date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError as exc:
            raise ValidationFailure(path, "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD", value) from exc
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationFailure(path, "应为数字", "expected a number", value)
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationFailure(path, "应为整数", "expected an integer", value)
        return value
    if hint is str:
        return str(value)
    return value


def _merge(cls, current, data: dict, path: str):
    """Override some fields of ``current`` (a dataclass instance) from ``data``."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValidationFailure(f"{path}.{unknown[0]}", f"未知的配置项：{'、'.join(unknown)}",
                                f"unknown configuration key(s): {', '.join(unknown)}", unknown)
    values = {}
    for name, value in data.items():
        hint = hints[name]
        sub = f"{path}.{name}"
        if dataclasses.is_dataclass(hint) and isinstance(value, dict):
            values[name] = _merge(hint, getattr(current, name), value, sub)
        else:
            values[name] = _coerce(value, hint, sub)
    return dataclasses.replace(current, **values)


def load_config(path: str | Path | None = None, **overrides) -> GeneratorConfig:
    """The default configuration, overridden by a YAML file and then by explicit keyword values."""
    config = GeneratorConfig()
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationFailure("config", f"无法读取配置文件：{exc.strerror or exc}",
                                    f"cannot read the configuration file: {exc.strerror or exc}",
                                    str(path)) from exc
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ValidationFailure("config", "配置文件不是有效的YAML", "the configuration file is not valid "
                                    "YAML", str(exc)) from exc
        if not isinstance(data, dict):
            raise ValidationFailure("config", "配置文件顶层应为映射", "the configuration must be a mapping",
                                    type(data).__name__)
        config = _merge(GeneratorConfig, config, data, "config")
    return config.with_overrides(**overrides).validate()


def as_dict(config: GeneratorConfig) -> dict:
    """JSON-ready form (dates as ISO strings, tuples as lists) for ``truth/generation.json``."""
    def clean(value):
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value
    return clean(dataclasses.asdict(config))
