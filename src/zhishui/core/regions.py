"""Administrative divisions: province (2 digits), city (4), district/county (6), township (9).

The codes are the National Bureau of Statistics division codes (GB/T 2260 for the first six digits,
GB/T 10114-2003 for the township level), shipped in ``data/regions/`` so the product needs no outside
files. The four CSV files are read once, on first use.

``resolve`` also accepts the GB/T 2260 six-digit forms of a province (``610000``) and a city
(``610300``), which is how registration authorities are written inside USCCs and ID numbers.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from .errors import ValidationFailure

DATA_DIR = Path(__file__).resolve().parent / "data" / "regions"

PROVINCE, CITY, DISTRICT, TOWNSHIP = "province", "city", "district", "township"
_LEVEL_ZH = {PROVINCE: "省级", CITY: "地级", DISTRICT: "县级", TOWNSHIP: "乡级"}

# City-level rows that are groupings, not places: left out of full names
# (北京市东城区, not 北京市市辖区东城区).
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


class Township(NamedTuple):
    code: str
    name: str
    kind: str  # 街道 / 镇 / 乡 / 其他


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    path: tuple[tuple[str, str], ...]  # (code, name) from the province down to this region

    @property
    def full_name(self) -> str:
        """The name as written on documents: 陕西省宝鸡市金台区中山东路街道."""
        names: list[str] = []
        for _, name in self.path:
            if name not in _PLACEHOLDERS and (not names or names[-1] != name):
                names.append(name)
        return "".join(names)

    @property
    def level_zh(self) -> str:
        return _LEVEL_ZH[self.level]


@dataclass(frozen=True)
class _Tables:
    provinces: dict[str, str]
    cities: dict[str, str]
    districts: dict[str, str]
    townships: dict[str, str]
    townships_by_district: dict[str, list[str]]


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def _tables() -> _Tables:
    townships: dict[str, str] = {}
    by_district: dict[str, list[str]] = {}
    for row in _rows("streets.csv"):
        townships[row["code"]] = row["name"]
        by_district.setdefault(row["areaCode"], []).append(row["code"])
    for codes in by_district.values():
        codes.sort()
    return _Tables(
        provinces={r["code"]: r["name"] for r in _rows("provinces.csv")},
        cities={r["code"]: r["name"] for r in _rows("cities.csv")},
        districts={r["code"]: r["name"] for r in _rows("areas.csv")},
        townships=townships,
        townships_by_district=by_district,
    )


def _unknown(code: object, field: str) -> ValidationFailure:
    return ValidationFailure(field, f"行政区划代码 {code} 不存在",
                             f"unknown administrative division code {code}", code)


def _region(code: str, level: str, t: _Tables) -> Region:
    path = [(code[:2], t.provinces[code[:2]])]
    if level != PROVINCE:
        path.append((code[:4], t.cities[code[:4]]))
    if level in (DISTRICT, TOWNSHIP):
        path.append((code[:6], t.districts[code[:6]]))
    if level == TOWNSHIP:
        path.append((code, t.townships[code]))
    return Region(code, path[-1][1], level, tuple(path))


def resolve(code: object, field: str = "region_code") -> Region:
    """Name and path of a 2-, 4-, 6- or 9-digit division code; unknown codes raise ``ValidationFailure``."""
    text = str(code).strip() if isinstance(code, str | int) else ""
    if not text.isascii() or not text.isdigit() or len(text) not in (2, 4, 6, 9):
        raise ValidationFailure(field, "行政区划代码应为2、4、6或9位数字",
                                "a division code has 2, 4, 6 or 9 digits", code)
    t = _tables()
    if len(text) == 6 and text not in t.districts:
        # GB/T 2260 writes a province as xx0000 and a city as xxxx00.
        if text.endswith("0000"):
            text = text[:2]
        elif text.endswith("00"):
            text = text[:4]
    level, table = {2: (PROVINCE, t.provinces), 4: (CITY, t.cities), 6: (DISTRICT, t.districts),
                    9: (TOWNSHIP, t.townships)}[len(text)]
    if text not in table:
        raise _unknown(code, field)
    return _region(text, level, t)


def district_name(code: object, field: str = "district_code") -> str:
    """Name of a county-level division (区/县/县级市) from its six-digit code."""
    region = resolve(code, field)
    if region.level != DISTRICT:
        raise ValidationFailure(field, "应为6位县级行政区划代码", "expected a six-digit county-level code",
                                code)
    return region.name


def township_kind(code: str, name: str) -> str:
    """街道, 镇, 乡 or 其他 (类似乡级单位: 开发区, 农场 …).

    GB/T 10114-2003 reserves township codes 001–099 for 街道, 100–199 for 镇, 200–399 for 乡 (民族乡
    and 苏木 included) and 400–599 for units that are like a township; for those the name decides.
    """
    number = int(code[6:9])
    if number < 100:
        return "街道"
    if number < 200:
        return "镇"
    if number < 400:
        return "乡"
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix):
            return suffix
    return "其他"


def townships(district_code: object, field: str = "district_code") -> list[Township]:
    """The townships (街道/镇/乡) of a district, in code order."""
    region = resolve(district_code, field)
    if region.level != DISTRICT:
        raise ValidationFailure(field, "应为6位县级行政区划代码", "expected a six-digit county-level code",
                                district_code)
    t = _tables()
    return [Township(c, t.townships[c], township_kind(c, t.townships[c]))
            for c in t.townships_by_district.get(region.code, [])]


def province_name(code: str) -> str | None:
    """Name of a two-digit province code, or None: for checks inside identifiers, which must not raise."""
    return _tables().provinces.get(code)


def describe(code: str) -> str | None:
    """Full name of the most precise known division for a six-digit code, or None.

    Codes inside identifiers outlive the divisions they name (districts are merged and renumbered),
    so this falls back to the city and then the province.
    """
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        try:
            return resolve(candidate).full_name
        except ValidationFailure:
            continue
    return None
