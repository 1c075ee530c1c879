"""The state of one generation run: configuration, calendar, random streams and the growing tables.

Every random draw comes from ``world.rng(name)``: a PCG64 generator seeded from the run's seed and
the stream's name, so adding draws to one stage never shifts the numbers of another, and the same
seed always gives the same district. Days are integers (days since 1970-01-01) so that every date
computation is a vectorised integer operation.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from zhishui.core import regions
from zhishui.core.errors import ValidationFailure

from .config import GeneratorConfig
from .industries import Catalog, catalog

SHANGHAI_OFFSET = "+08:00"
NEVER = 10**6  # a day number far in the future: "not closed"
ENTERPRISE, INDIVIDUAL, OTHER = 0, 1, 2


def day_number(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


class Columns:
    """A table as named numpy columns of equal length; ``append`` adds rows to every column."""

    def __init__(self, **columns):
        object.__setattr__(self, "_c", {k: np.asarray(v) for k, v in columns.items()})

    def __getattr__(self, name):
        try:
            return self._c[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def __setattr__(self, name, value):
        self._c[name] = np.asarray(value)

    def __len__(self) -> int:
        return len(next(iter(self._c.values()))) if self._c else 0

    @property
    def names(self) -> list[str]:
        return list(self._c)

    def append(self, **columns) -> np.ndarray:
        """Append rows; returns their indices. Every existing column must be given."""
        start = len(self)
        missing = set(self._c) - set(columns)
        if missing:
            raise KeyError(f"missing columns: {sorted(missing)}")
        for name, value in columns.items():
            value = np.asarray(value)
            if name in self._c:
                self._c[name] = np.concatenate([self._c[name], value.astype(self._c[name].dtype, copy=False)])
            else:
                raise KeyError(f"unknown column {name}")
        return np.arange(start, len(self))


@dataclass
class Township:
    code: str
    name: str
    kind: str           # 街道 / 镇 / 乡 / 其他
    full_name: str      # 陕西省宝鸡市金台区中山东路街道

    @property
    def urban(self) -> bool:
        return self.kind == "街道"


@dataclass
class Scheme:
    """One planted irregularity or look-alike: its members and the months it covers."""

    kind: str
    scheme_id: str
    members: list[int]                     # entity indices
    start: int                             # first month index (0-based within the span)
    end: int                               # last month index, inclusive
    roles: dict[int, str] = field(default_factory=dict)
    controllers: list[int] = field(default_factory=list)  # person indices
    lookalike: bool = False
    extra: str = ""


@dataclass
class World:
    config: GeneratorConfig
    as_of: date
    district_code: str
    district_name: str
    city_name: str
    province_name: str
    townships: list[Township]
    months: list[tuple[int, int]]          # (year, month) of each month of the span, oldest first
    month_start: np.ndarray                # day numbers of each month's first day, plus the day after
    cat: Catalog
    entities: Columns | None = None
    externals: Columns | None = None
    persons: Columns | None = None
    relations: Columns | None = None
    schemes: list[Scheme] = field(default_factory=list)
    overrides: dict[str, dict[int, np.ndarray]] = field(default_factory=dict)
    results: dict[str, object] = field(default_factory=dict)
    summary: dict[str, object] = field(default_factory=dict)

    # --- random streams ---------------------------------------------------------------------
    def rng(self, name: str) -> np.random.Generator:
        seq = np.random.SeedSequence([self.config.seed & 0xFFFFFFFF, self.config.seed >> 32,
                                      zlib.crc32(name.encode())])
        return np.random.Generator(np.random.PCG64(seq))

    # --- calendar ---------------------------------------------------------------------------
    @property
    def n_months(self) -> int:
        return len(self.months)

    @property
    def span_start(self) -> int:
        return int(self.month_start[0])

    @property
    def span_end(self) -> int:
        """Last day of the span (inclusive)."""
        return int(self.month_start[-1]) - 1

    @property
    def as_of_day(self) -> int:
        return day_number(self.as_of)

    def month_of(self, days: np.ndarray) -> np.ndarray:
        """Month index within the span of each day (-1 before, n_months after)."""
        return np.searchsorted(self.month_start, days, side="right") - 1

    def month_label(self, k: int) -> str:
        y, m = self.months[k]
        return f"{y:04d}-{m:02d}"

    def alive_fraction(self, est: np.ndarray, closed: np.ndarray) -> np.ndarray:
        """(n, months) share of each month during which an entity existed."""
        starts = self.month_start[:-1][None, :]
        ends = self.month_start[1:][None, :]
        lo = np.maximum(starts, est[:, None])
        hi = np.minimum(ends, closed[:, None] + 1)
        return np.clip(hi - lo, 0, None) / (ends - starts)

    def override(self, name: str) -> dict[int, np.ndarray]:
        return self.overrides.setdefault(name, {})


def _span(as_of: date, months: int) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The ``months`` full months before the month of ``as_of``."""
    last = as_of.year * 12 + as_of.month - 2  # the month before as_of's month, as year*12 + (month-1)
    out = []
    for k in range(last - months + 1, last + 1):
        out.append((k // 12, k % 12 + 1))
    starts = [np.datetime64(f"{y:04d}-{m:02d}-01") for y, m in out]
    y, m = out[-1]
    nxt = np.datetime64(f"{y + (m == 12):04d}-{m % 12 + 1:02d}-01")
    return out, np.array([*starts, nxt]).astype("datetime64[D]").astype(np.int64)


def today_shanghai() -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def create_world(config: GeneratorConfig) -> World:
    region = regions.resolve(config.district, "district")
    if region.level != regions.DISTRICT:
        raise ValidationFailure("district", "应为6位县级行政区划代码（如610303金台区）",
                                "expected a six-digit county-level code such as 610303", config.district)
    towns = regions.townships(region.code)
    if not towns:
        raise ValidationFailure("district", "该区县没有乡级区划数据", "no townships are known for this district",
                                config.district)
    as_of = config.as_of or today_shanghai()
    months, month_start = _span(as_of, config.months)
    path = dict(region.path)
    province = path[region.code[:2]]
    city = path[region.code[:4]]
    if city in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
        city = ""
    townships = [Township(t.code, t.name, t.kind, regions.resolve(t.code).full_name) for t in towns]
    return World(config=config, as_of=as_of, district_code=region.code, district_name=region.name,
                 city_name=city, province_name=province, townships=townships, months=months,
                 month_start=month_start, cat=catalog())
