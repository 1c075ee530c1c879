"""Dated legal parameters loaded from YAML, with their citations.

Each parameter has one value per validity interval (``start``, optional ``end``, both inclusive),
each with the document and article it comes from and a confidence mark (法 read in the statute,
核 corroborated, 记 long-standing rule not yet read in the primary text, 疑 unconfirmed, 假设 what-if).
A lookup outside every interval fails with ``ParameterNotInForce``: a temporary relief ending on
2027-12-31 is never silently extended.

National parameters live in ``parameters/*.yaml``; provincial and district choices in
``parameters/districts/<code>.yaml``. A district file may not redefine a national parameter;
overlays (what-if scenarios) are the only way to replace values.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

from zhishui.core.errors import ValidationFailure
from zhishui.core.periods import Period

# libyaml's safe loader when installed: the same documents, parsed about ten times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PARAMETER_DIR = Path(__file__).with_name("parameters")
DEFAULT_DISTRICT = "610303"
CONFIDENCE = {"法", "核", "记", "疑", "假设"}
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class ParameterError(ValueError):
    """A parameter file is malformed (bad interval, missing citation, float value …)."""


class ParameterNotInForce(ValidationFailure):
    def __init__(self, name: str, label_zh: str, label_en: str, when: str, detail_zh: str,
                 detail_en: str, field_name: str = "period"):
        super().__init__(
            field_name,
            f"{when} 没有有效的参数 {name}（{label_zh}）：{detail_zh}",
            f"no parameter in force for {when}: {name} ({label_en}) {detail_en}",
            when, code="no_parameter")


@dataclass(frozen=True)
class Bracket:
    """One row of a scale: applies while base ≤ ``upper`` (None = no upper bound)."""

    upper: Decimal | None
    rate: Decimal
    quick: Decimal = Decimal(0)

    def as_dict(self) -> dict:
        return {"upper": None if self.upper is None else str(self.upper), "rate": str(self.rate),
                "quick": str(self.quick)}


@dataclass(frozen=True)
class Scale:
    """A bracket table: rate + quick deduction (速算扣除数), or amount per unit by band."""

    brackets: tuple[Bracket, ...]

    def find(self, base: Decimal) -> Bracket:
        for b in self.brackets:
            if b.upper is None or base <= b.upper:
                return b
        raise AssertionError("a validated scale ends with an open bracket")

    def as_list(self) -> list[dict]:
        return [b.as_dict() for b in self.brackets]


@dataclass(frozen=True)
class Version:
    start: date
    end: date | None
    value: object
    citation: str
    confidence: str
    note: str = ""


@dataclass(frozen=True)
class Parameter:
    name: str
    label_zh: str
    label_en: str
    unit: str
    versions: tuple[Version, ...]
    source: str


@dataclass(frozen=True)
class ParamValue:
    """The value of one parameter in force at a date or over a period, with its provenance."""

    name: str
    label_zh: str
    label_en: str
    unit: str
    value: object
    start: date
    end: date | None
    citation: str
    confidence: str
    note: str = ""

    def as_dict(self) -> dict:
        return {"name": self.name, "label_zh": self.label_zh, "label_en": self.label_en,
                "unit": self.unit, "value": render_value(self.value), "start": self.start.isoformat(),
                "end": self.end.isoformat() if self.end else None, "citation": self.citation,
                "confidence": self.confidence, "note": self.note}


def render_value(value: object) -> object:
    if isinstance(value, Scale):
        return value.as_list()
    if isinstance(value, dict):
        return {k: render_value(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [render_value(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decimal(raw: object, where: str) -> Decimal:
    if isinstance(raw, bool) or isinstance(raw, float):
        raise ParameterError(f"{where}: write decimals as strings (\"0.03\"), not YAML floats: {raw!r}")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, str) and _NUMBER_RE.match(raw.strip()):
        return Decimal(raw.strip())
    raise ParameterError(f"{where}: not a number: {raw!r}")


def _scalar(raw: object, where: str) -> object:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and not _NUMBER_RE.match(raw.strip()):
        return raw
    return _decimal(raw, where)


def _scale(rows: object, where: str) -> Scale:
    if not isinstance(rows, list) or not rows:
        raise ParameterError(f"{where}: a scale is a non-empty list of brackets")
    brackets = []
    for i, row in enumerate(rows):
        w = f"{where}[{i}]"
        if not isinstance(row, dict) or "rate" not in row or set(row) - {"upper", "rate", "quick"}:
            raise ParameterError(f"{w}: a bracket has keys upper (omit on the last), rate, quick")
        upper = None if row.get("upper") is None else _decimal(row["upper"], w)
        brackets.append(Bracket(upper, _decimal(row["rate"], w), _decimal(row.get("quick", 0), w)))
    uppers = [b.upper for b in brackets]
    if uppers[-1] is not None or None in uppers[:-1]:
        raise ParameterError(f"{where}: only the last bracket is open-ended")
    if any(a >= b for a, b in itertools.pairwise(uppers[:-1])):
        raise ParameterError(f"{where}: bracket upper bounds must increase")
    return Scale(tuple(brackets))


def _date(raw: object, where: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError as exc:
        raise ParameterError(f"{where}: not a date (YYYY-MM-DD): {raw!r}") from exc


def _version(raw: object, where: str, *, overlay: bool = False) -> Version:
    if not isinstance(raw, dict):
        raise ParameterError(f"{where}: a version is a mapping with start, value/scale/table, citation")
    allowed = {"start", "end", "value", "scale", "table", "citation", "confidence", "note"}
    if set(raw) - allowed:
        raise ParameterError(f"{where}: unknown keys {sorted(set(raw) - allowed)}")
    kinds = [k for k in ("value", "scale", "table") if k in raw]
    if len(kinds) != 1:
        raise ParameterError(f"{where}: exactly one of value, scale, table")
    if "start" not in raw:
        raise ParameterError(f"{where}: start date required")
    start = _date(raw["start"], where)
    end = _date(raw["end"], where) if raw.get("end") is not None else None
    if end is not None and end < start:
        raise ParameterError(f"{where}: end {end} before start {start}")
    kind = kinds[0]
    if kind == "scale":
        value: object = _scale(raw["scale"], where)
    elif kind == "table":
        if not isinstance(raw["table"], dict) or not raw["table"]:
            raise ParameterError(f"{where}: a table is a non-empty mapping")
        value = {str(k): (_scale(v, f"{where}.{k}") if isinstance(v, list) else _scalar(v, f"{where}.{k}"))
                 for k, v in raw["table"].items()}
    elif isinstance(raw["value"], list):
        value = tuple(_scalar(v, where) for v in raw["value"])
    else:
        value = _scalar(raw["value"], where)
    citation = str(raw.get("citation") or "").strip()
    confidence = str(raw.get("confidence") or "").strip()
    if overlay:
        citation = f"假设情景 what-if overlay{'：' + citation if citation else ''}"
        confidence = "假设"
    if not citation:
        raise ParameterError(f"{where}: citation required (document number + article)")
    if confidence not in CONFIDENCE:
        raise ParameterError(f"{where}: confidence must be one of {sorted(CONFIDENCE)}, got {confidence!r}")
    return Version(start, end, value, citation, confidence, str(raw.get("note") or "").strip())


def _check_intervals(name: str, versions: list[Version]) -> tuple[Version, ...]:
    versions = sorted(versions, key=lambda v: v.start)
    for prev, nxt in itertools.pairwise(versions):
        if prev.end is None or prev.end >= nxt.start:
            raise ParameterError(f"{name}: intervals overlap ({prev.start}…{prev.end} and {nxt.start}…)")
    return tuple(versions)


def _parameters(data: object, source: str) -> dict[str, Parameter]:
    if not isinstance(data, dict):
        raise ParameterError(f"{source}: top level must map parameter names to definitions")
    out = {}
    for name, spec in data.items():
        where = f"{source}: {name}"
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ParameterError(f"{where}: names are dotted lower-case, e.g. iit.basic_deduction")
        if not isinstance(spec, dict) or not isinstance(spec.get("versions"), list) or not spec["versions"]:
            raise ParameterError(f"{where}: needs label_zh, label_en, unit and a non-empty versions list")
        if set(spec) - {"label_zh", "label_en", "unit", "versions"} or not spec.get("label_zh"):
            raise ParameterError(f"{where}: keys are label_zh, label_en, unit, versions")
        versions = [_version(v, f"{where}[{i}]") for i, v in enumerate(spec["versions"])]
        out[name] = Parameter(name, spec["label_zh"], spec.get("label_en", ""), spec.get("unit", ""),
                              _check_intervals(name, versions), source)
    return out


def _read_yaml(path: Path) -> object:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader (libyaml's when installed)


@dataclass
class ParameterSet:
    """All parameters for one district, optionally with what-if overlays applied."""

    parameters: dict[str, Parameter]
    district: str
    district_name_zh: str = ""
    district_name_en: str = ""
    overlaid: tuple[str, ...] = ()
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, district: str = DEFAULT_DISTRICT, directory: Path = PARAMETER_DIR) -> ParameterSet:
        params: dict[str, Parameter] = {}
        for path in sorted(directory.glob("*.yaml")):
            for name, p in _parameters(_read_yaml(path), path.name).items():
                if name in params:
                    raise ParameterError(f"{path.name}: {name} already defined in {params[name].source}")
                params[name] = p
        dpath = directory / "districts" / f"{district}.yaml"
        if not dpath.exists():
            raise ValidationFailure("district", f"未配置地区 {district} 的参数文件",
                                    f"no parameter file for district {district}", district,
                                    code="no_district")
        ddata = _read_yaml(dpath)
        if not isinstance(ddata, dict) or set(ddata) != {"district", "parameters"}:
            raise ParameterError(f"{dpath.name}: top level keys are district and parameters")
        head = ddata["district"] or {}
        if str(head.get("code")) != district:
            raise ParameterError(f"{dpath.name}: district.code must be {district}")
        for name, p in _parameters(ddata["parameters"], f"districts/{dpath.name}").items():
            if name in params:
                raise ParameterError(f"{dpath.name}: {name} is national ({params[name].source}); "
                                     "use an overlay to replace it")
            params[name] = p
        return cls(params, district, head.get("name_zh", ""), head.get("name_en", ""))

    def names(self) -> list[str]:
        return sorted(self.parameters)

    def get(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise ValidationFailure(
                "parameter", f"参数 {name} 未定义（全国参数及地区 {self.district} 的参数中均无）；"
                f"地方选择的参数请在 districts/{self.district}.yaml 中配置",
                f"parameter {name} is not defined nationally nor for district {self.district}; "
                f"configure district choices in districts/{self.district}.yaml", name,
                code="no_parameter") from None

    def at(self, name: str, when: date | Period, field_name: str = "period") -> ParamValue:
        """The value in force on a day, or over a whole period (which must not straddle a change)."""
        key = (name, when, field_name)
        if key not in self._cache:
            self._cache[key] = self._lookup(name, when, field_name)
        return self._cache[key]

    def _lookup(self, name: str, when: date | Period, field_name: str) -> ParamValue:
        p = self.get(name)
        first, last = (when.start, when.end) if isinstance(when, Period) else (when, when)
        label = str(when) if isinstance(when, Period) else when.isoformat()
        covering = [v for v in p.versions if v.start <= last and (v.end is None or v.end >= first)]
        if not covering:
            later = [v for v in p.versions if v.start > last]
            if later:
                zh, en = f"最早自 {later[0].start} 起有效", f"is in force only from {later[0].start}"
            else:
                end = p.versions[-1].end
                zh, en = f"最后有效日期为 {end}，不会自动延续", f"ended on {end} and is not extended"
            raise ParameterNotInForce(name, p.label_zh, p.label_en, label, zh, en, field_name)
        v = covering[0]
        if covering[0].start > first or (covering[-1].end is not None and covering[-1].end < last):
            raise ParameterNotInForce(name, p.label_zh, p.label_en, label, "在该所属期内仅部分时间有效",
                                      "is in force for only part of the period", field_name)
        if any(c.value != v.value for c in covering[1:]) or any(
                a.end + timedelta(days=1) != b.start for a, b in itertools.pairwise(covering)):
            raise ParameterNotInForce(name, p.label_zh, p.label_en, label, "在该所属期内发生变化，请按日期分段计算",
                                      "changes within the period; split the computation by date", field_name)
        return ParamValue(name, p.label_zh, p.label_en, p.unit, v.value, v.start, v.end, v.citation,
                          v.confidence, v.note)

    def value(self, name: str, when: date | Period, field_name: str = "period") -> object:
        return self.at(name, when, field_name).value

    def with_overlay(self, overlay: dict | str | Path | None, label: str = "overlay") -> ParameterSet:
        """Replace parameters from a date: ``{name: [{start, end?, value|scale|table, citation?}]}``."""
        if overlay is None:
            return self
        if isinstance(overlay, str | Path):
            label = str(overlay)
            overlay = _read_yaml(Path(overlay))
        if not isinstance(overlay, dict) or not overlay:
            raise ValidationFailure("overlay", "假设情景须为 参数名 → 版本列表 的映射",
                                    "an overlay maps parameter names to lists of versions", None)
        params = dict(self.parameters)
        for name, versions in overlay.items():
            base = self.get(name)
            if isinstance(versions, dict):
                versions = [versions]
            if not isinstance(versions, list):
                raise ValidationFailure("overlay", f"{name} 的假设版本须为列表", f"{name}: versions must be a list",
                                        None)
            try:
                new = [_version(v, f"overlay {name}[{i}]", overlay=True) for i, v in enumerate(versions)]
            except ParameterError as exc:
                raise ValidationFailure("overlay", f"假设情景格式错误：{exc}", f"malformed overlay: {exc}",
                                        name) from exc
            kept = list(base.versions)
            for nv in new:
                kept = [piece for old in kept for piece in _clip(old, nv.start, nv.end)]
            try:
                merged = _check_intervals(name, kept + new)
            except ParameterError as exc:
                raise ValidationFailure("overlay", f"假设情景区间重叠：{exc}", f"overlay intervals overlap: {exc}",
                                        name) from exc
            params[name] = replace(base, versions=merged)
        return ParameterSet(params, self.district, self.district_name_zh, self.district_name_en,
                            (*self.overlaid, label))


def _clip(old: Version, start: date, end: date | None) -> list[Version]:
    """What remains of ``old`` outside [start, end]."""
    pieces = []
    if old.start < start:
        before_end = start - timedelta(days=1)
        pieces.append(replace(old, end=before_end if old.end is None or old.end > before_end else old.end))
    if end is not None and (old.end is None or old.end > end):
        after_start = end + timedelta(days=1)
        pieces.append(replace(old, start=max(old.start, after_start)))
    return pieces


@cache
def default_parameters(district: str = DEFAULT_DISTRICT) -> ParameterSet:
    """The shipped parameters of a district, loaded and validated once per process."""
    return ParameterSet.load(district)
