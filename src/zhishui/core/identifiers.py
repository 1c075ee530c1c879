"""Identifiers: the USCC, the resident ID number, legacy taxpayer numbers and 数电票 invoice numbers.

- USCC (统一社会信用代码) per GB 32100-2015 (with amendment XG1-2016): 18 characters from a 31-character
  alphabet: registration authority, entity type, registration region (GB/T 2260), organisation code
  (GB 11714) and a mod-31 check character (GB/T 17710).
- Resident ID number (公民身份号码) per GB 11643-1999 §5: 6-digit address code (§5.2), 8-digit birth
  date (§5.3), 3-digit sequence, odd for men (§5.4), ISO 7064 MOD 11-2 check character (§5.5).
- Legacy taxpayer numbers: the forms in use before a taxpayer had a USCC, still found in old
  registrations and historical data (see ``parse_legacy_taxpayer_no`` for the exact rules).
- 数电票 invoice numbers: 20 digits (year, province, channel, sequence).

Validators normalise their input (NFKC, so full-width characters pasted from documents count;
strip; uppercase) and raise ``ValidationFailure`` naming the field and the precise reason. Its
``code`` says how far the input got: ``length``, ``character``, ``structure`` or ``check``.
``classify`` tells which kind an arbitrary string is and describes it in Chinese.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from . import regions
from .errors import ValidationFailure

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Failure codes in the order a validator checks them: the further an input got, the likelier it is
# that it was meant to be that kind of identifier.
LENGTH, CHARACTER, STRUCTURE, CHECK = "length", "character", "structure", "check"
_STAGE = {LENGTH: 0, CHARACTER: 1, STRUCTURE: 2, CHECK: 3}


def normalize(text: object) -> str:
    """NFKC (full-width → ASCII), strip, uppercase; anything but a string becomes ``""``."""
    if not isinstance(text, str):
        return ""
    return unicodedata.normalize("NFKC", text).strip().upper()


def _fail(field: str, code: str, zh: str, en: str, value: object) -> ValidationFailure:
    return ValidationFailure(field, zh, en, value, code=code)


def _check_length(value: str, lengths: tuple[int, ...], field: str, what_zh: str, what_en: str,
                  raw: object) -> None:
    if len(value) not in lengths:
        want = "或".join(str(n) for n in lengths)
        want_en = " or ".join(str(n) for n in lengths)
        raise _fail(field, LENGTH, f"{what_zh}应为{want}位，实为{len(value)}位",
                    f"{what_en} must have {want_en} characters, got {len(value)}", raw)


def _check_characters(value: str, allowed: str, field: str, rule_zh: str, rule_en: str, raw: object,
                      positions: range | None = None) -> None:
    """Name every character outside ``allowed`` with its 1-based position, then the rule it breaks."""
    span = positions if positions is not None else range(len(value))
    bad = [(i + 1, value[i]) for i in span if value[i] not in allowed]
    if bad:
        where_zh = "、".join(f"第{p}位“{c}”" for p, c in bad)
        where_en = ", ".join(f"{c!r} at position {p}" for p, c in bad)
        raise _fail(field, CHARACTER, f"非法字符：{where_zh}（{rule_zh}）",
                    f"illegal character {where_en} ({rule_en})", raw)


# --- organisation code (组织机构代码), GB 11714-1997 -------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organisation_code_check_char(body: str) -> str:
    """GB 11714-1997 §5: C9 = 11 − Σ(Ci·Wi) mod 11, with 10 written X and 11 written 0."""
    c = 11 - sum(_ORG_BODY.index(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def is_valid_organisation_code(code: str) -> bool:
    return (len(code) == 9 and all(ch in _ORG_BODY for ch in code[:8])
            and organisation_code_check_char(code[:8]) == code[8])


def _format_organisation_code(code: str) -> str:
    return f"{code[:8]}-{code[8]}"


# --- USCC, GB 32100-2015 ---------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # digits and capitals except I, O, Z, S, V
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^(i-1) mod 31

# The registration-authority and entity-type code table of GB 32100-2015 as amended (XG1-2016, and
# the later A and N): authority code → (authority, {entity-type code: entity type}).
USCC_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                   "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
                 "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}


@dataclass(frozen=True)
class USCC:
    code: str
    authority_code: str
    authority: str | None  # None: a code the table above does not list
    entity_type_code: str
    entity_type: str | None
    region_code: str
    region_name: str | None  # None: the code names no division known today
    organisation_code: str
    organisation_code_ok: bool  # the embedded GB 11714 check character holds

    def describe_zh(self) -> str:
        parts = [
            "统一社会信用代码",
            f"登记管理部门：{self.authority or f'未列入编码表的代码{self.authority_code}'}",
            f"机构类别：{self.entity_type or f'未列入编码表的代码{self.entity_type_code}'}",
            f"登记管理机关行政区划：{self.region_name or f'{self.region_code}（不在现行区划表中）'}",
            f"组织机构代码：{_format_organisation_code(self.organisation_code)}",
        ]
        if not self.organisation_code_ok:
            parts.append("注意：组织机构代码自身的校验位不符合GB 11714")
        return "；".join(parts)


def _registration_region(code: str) -> str | None:
    # Authorities at the national level write 100000 as their region (GB 32100-2015's own example).
    return "国家级登记管理机关" if code == "100000" else regions.describe(code)


def uscc_check_char(first17: str) -> str:
    """C18 = 31 − Σ(Ci·Wi) mod 31 over the character values 0–30, where 31 is written 0."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def parse_uscc(text: object, field: str = "uscc") -> USCC:
    """Validate and decode a USCC.

    Checked in order: length; alphabet; the registration region, characters 3–8, is digits (a
    GB/T 2260 code); the check character. An authority or entity-type code missing from the table
    does not fail: the check character already catches every single-character error, and codes
    issued under later amendments must not be refused at registration. The description names it.
    """
    value = normalize(text)
    _check_length(value, (18,), field, "统一社会信用代码", "a USCC", text)
    _check_characters(value, USCC_ALPHABET, field,
                      "统一社会信用代码由数字和大写字母组成，不使用I、O、Z、S、V",
                      "a USCC is digits and capital letters except I, O, Z, S, V", text)
    _check_characters(value, "0123456789", field, "第3–8位登记管理机关行政区划码应为数字",
                      "characters 3-8, the registration region, are digits", text, range(2, 8))
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        raise _fail(field, CHECK, f"校验码错误：第18位应为“{expected}”，实为“{value[17]}”",
                    f"check character should be {expected!r}, got {value[17]!r}", text)
    authority = USCC_AUTHORITIES.get(value[0])
    return USCC(
        code=value,
        authority_code=value[0],
        authority=authority[0] if authority else None,
        entity_type_code=value[1],
        entity_type=authority[1].get(value[1]) if authority else None,
        region_code=value[2:8],
        region_name=_registration_region(value[2:8]),
        organisation_code=value[8:17],
        organisation_code_ok=is_valid_organisation_code(value[8:17]),
    )


def is_valid_uscc(text: object) -> bool:
    try:
        parse_uscc(text)
    except ValidationFailure:
        return False
    return True


# --- resident ID number, GB 11643-1999 -------------------------------------------------------

# §5.5: Wi = 2^(i−1) mod 11 with i counted from the right, so the leftmost character has i = 18.
_ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_ID_CHECK = "10X98765432"  # §5.5: the check character for Σ(ai·Wi) mod 11 = 0, 1, … 10
_EARLIEST_BIRTH = date(1880, 1, 1)
# 港澳台居民居住证 numbers follow GB 11643 with these address codes (国办发〔2018〕81号).
_PERMIT_REGIONS = {"81": "香港特别行政区（港澳台居民居住证）", "82": "澳门特别行政区（港澳台居民居住证）",
                   "83": "台湾地区（港澳台居民居住证）"}


@dataclass(frozen=True)
class IDNumber:
    number: str  # always the 18-character form
    region_code: str
    region_name: str | None
    birth_date: date
    male: bool
    converted_from: str | None = None  # the first-generation 15-digit number it was converted from

    @property
    def gender_zh(self) -> str:
        return "男" if self.male else "女"

    def describe_zh(self) -> str:
        parts = [
            "居民身份证号码",
            f"地址码：{self.region_name or f'{self.region_code}（不在现行区划表中）'}",
            f"出生日期：{self.birth_date.isoformat()}",
            f"性别：{self.gender_zh}",
        ]
        if self.converted_from:
            parts.append(f"15位旧号，对应18位号码：{self.number}")
        return "；".join(parts)


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def _birth_date(digits: str, field: str, raw: object, today: date) -> date:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise _fail(field, STRUCTURE, f"出生日期“{digits}”不是有效日期",
                    f"birth date {digits} is not a real date", raw) from None
    if born > today:
        raise _fail(field, STRUCTURE, f"出生日期{born.isoformat()}晚于今天",
                    f"birth date {born} is in the future", raw)
    if born < _EARLIEST_BIRTH:
        raise _fail(field, STRUCTURE, f"出生日期{born.isoformat()}早于1880年",
                    f"birth date {born} is before 1880", raw)
    return born


def _id_region(code: str, field: str, raw: object) -> str | None:
    """§5.2: the address code is a GB/T 2260 code; its province must exist, the district may be gone."""
    if code[:2] in _PERMIT_REGIONS:
        return _PERMIT_REGIONS[code[:2]]
    if regions.province_name(code[:2]) is None:
        raise _fail(field, STRUCTURE, f"地址码前两位“{code[:2]}”不是省级行政区划代码",
                    f"address code {code} does not start with a province code", raw)
    return regions.describe(code)


def id15_to_18(text: object, field: str = "id_number") -> str:
    """First-generation 15-digit number → 18 digits: insert the century 19 and append the check character."""
    value = normalize(text)
    _check_length(value, (15,), field, "15位身份证号码", "a first-generation ID number", text)
    _check_characters(value, "0123456789", field, "15位身份证号码只含数字", "digits only", text)
    first17 = value[:6] + "19" + value[6:]
    return first17 + id_check_char(first17)


def parse_id_number(text: object, field: str = "id_number", *, today: date | None = None) -> IDNumber:
    """Validate and decode an 18-digit ID number, or a 15-digit one converted to 18 digits.

    Checked in order: length; characters (17 digits then a digit or X, §5.1, §5.5); the address
    code's province (§5.2); the birth date, a real date from 1880 to today (§5.3); the check
    character (§5.5). A 15-digit number is GB 11643-1989's: its birth year has two digits.
    """
    value = normalize(text)
    today = today or _today()
    _check_length(value, (15, 18), field, "身份证号码", "an ID number", text)
    converted_from = None
    if len(value) == 15:
        _check_characters(value, "0123456789", field, "15位身份证号码只含数字", "digits only", text)
        converted_from, value = value, id15_to_18(value, field)
    else:
        _check_characters(value, "0123456789", field, "身份证号码前17位应为数字",
                          "the first 17 characters are digits", text, range(17))
        _check_characters(value, "0123456789X", field, "身份证号码第18位应为数字或X",
                          "the last character is a digit or X", text, range(17, 18))
    region_name = _id_region(value[:6], field, text)
    born = _birth_date(value[6:14], field, text, today)
    expected = id_check_char(value[:17])
    if value[17] != expected:
        raise _fail(field, CHECK, f"校验码错误：第18位应为“{expected}”，实为“{value[17]}”",
                    f"check character should be {expected!r}, got {value[17]!r}", text)
    return IDNumber(value, value[:6], region_name, born, int(value[16]) % 2 == 1, converted_from)


def is_valid_id_number(text: object) -> bool:
    try:
        parse_id_number(text)
    except ValidationFailure:
        return False
    return True


# --- legacy taxpayer numbers ------------------------------------------------------------------

@dataclass(frozen=True)
class LegacyTaxpayerNo:
    number: str
    form_zh: str
    base: str  # the organisation code, ID number or USCC the number is built on
    region_name: str | None

    def describe_zh(self) -> str:
        parts = [f"旧纳税人识别号（{self.form_zh}）"]
        if self.region_name:
            parts.append(f"地区：{self.region_name}")
        return "；".join(parts)


def _unit_number(value: str, field: str, raw: object) -> tuple[str | None, str]:
    """A 15-character unit number: 6-digit region code + GB 11714 organisation code."""
    _check_characters(value, "0123456789", field, "前6位行政区划码应为数字",
                      "characters 1-6 are a region code", raw, range(6))
    _check_characters(value, _ORG_BODY, field, "第7–15位组织机构代码由数字和大写字母组成",
                      "characters 7-15 are an organisation code", raw, range(6, 15))
    if regions.province_name(value[:2]) is None:
        raise _fail(field, STRUCTURE, f"行政区划码前两位“{value[:2]}”不是省级代码",
                    f"region code {value[:6]} does not start with a province code", raw)
    expected = organisation_code_check_char(value[6:14])
    if value[14] != expected:
        raise _fail(field, CHECK, f"组织机构代码校验位应为“{expected}”，实为“{value[14]}”（GB 11714）",
                    f"organisation code check character should be {expected!r}, got {value[14]!r}", raw)
    return regions.describe(value[:6]), value[6:15]


def parse_legacy_taxpayer_no(text: object, field: str = "taxpayer_id") -> LegacyTaxpayerNo:
    """Recognise a pre-USCC taxpayer number by its structure.

    - 15: unit number, 6-digit region code + 9-character organisation code whose GB 11714 check
      character holds (the tax registration code of units, kept for units without a USCC by
      国家税务总局公告2015年第66号 item 4, which refers to 税总发〔2013〕41号).
    - 17 / 20: a valid 15- / 18-digit ID number + a 2-digit sequence (individual businesses and
      others registered by identity document, 国家税务总局公告2015年第66号 item 2).
    - 19: "L" + a valid USCC or ID number (temporary taxpayers, the same announcement, item 3).
    - 18: a 15-character unit number + a 3-digit suffix. No published rule fixes an 18-character
      legacy form, so only this shape is accepted: it carries the GB 11714 check character, which
      tells it apart from a mistyped USCC or ID number (those are reported as such by ``classify``).
    """
    value = normalize(text)
    _check_length(value, (15, 17, 18, 19, 20), field, "旧纳税人识别号", "a legacy taxpayer number", text)
    n = len(value)
    if n in (15, 18):
        region_name, org = _unit_number(value[:15], field, text)
        if n == 18:
            _check_characters(value, "0123456789", field, "第16–18位应为数字", "characters 16-18 are digits",
                              text, range(15, 18))
            form = "15位单位税号+3位数字后缀"
        else:
            form = "行政区划码+组织机构代码"
        return LegacyTaxpayerNo(value, form, org, region_name)
    if n == 19:
        return _temporary_number(value, field, text)
    _check_characters(value, "0123456789", field, "最后2位顺序码应为数字",
                      "the last two are a sequence number", text, range(n - 2, n))
    try:
        person = parse_id_number(value[:-2], field)
    except ValidationFailure as exc:
        raise _within(exc, f"前{n - 2}位应为有效的身份证号码",
                      f"the first {n - 2} characters must be a valid ID number", field, text) from None
    return LegacyTaxpayerNo(value, f"{n - 2}位身份证号码+2位顺序码", value[:-2], person.region_name)


def _within(exc: ValidationFailure, zh: str, en: str, field: str, raw: object) -> ValidationFailure:
    """Restate the failure of an embedded identifier as a failure of the whole number."""
    inner = exc.errors[0]
    return _fail(field, exc.code, f"{zh}：{inner.message_zh}", f"{en}: {inner.message_en}", raw)


def _temporary_number(value: str, field: str, raw: object) -> LegacyTaxpayerNo:
    """"L" + USCC or "L" + ID number; positions in a reason count from the character after the L."""
    if value[0] != "L":
        raise _fail(field, CHARACTER, "19位临时纳税人识别号应以“L”开头",
                    "a 19-character temporary number starts with L", raw)
    try:
        uscc = parse_uscc(value[1:], field)
        return LegacyTaxpayerNo(value, "临时纳税人：L+统一社会信用代码", uscc.code, uscc.region_name)
    except ValidationFailure as exc:
        uscc_error = exc
    try:
        person = parse_id_number(value[1:], field)
        return LegacyTaxpayerNo(value, "临时纳税人：L+身份证号码", person.number, person.region_name)
    except ValidationFailure as exc:
        id_error = exc
    best = max(uscc_error, id_error, key=lambda e: _STAGE[e.code])
    raise _within(best, "“L”之后应为有效的统一社会信用代码或身份证号码",
                  "L must be followed by a valid USCC or ID number", field, raw)


# --- 数电票 invoice numbers ----------------------------------------------------------------------

_FIRST_INVOICE_YEAR = 2021  # the fully digital invoice pilots began in December 2021


@dataclass(frozen=True)
class InvoiceNumber:
    number: str
    year: int
    province_code: str
    province_name: str
    channel: int  # issuing channel (开具渠道)
    sequence: int

    def describe_zh(self) -> str:
        return (f"数电票发票号码；{self.year}年；{self.province_name}；"
                f"渠道{self.channel}；顺序号{self.sequence}")


def _check_invoice_parts(year: int, province: str, channel: int, seq: int, field: str, raw: object) -> None:
    if not _FIRST_INVOICE_YEAR <= year <= 2099:
        raise _fail(field, STRUCTURE, f"年度{year}应在{_FIRST_INVOICE_YEAR}–2099之间",
                    f"year {year} must be {_FIRST_INVOICE_YEAR}-2099", raw)
    if regions.province_name(province) is None:
        raise _fail(field, STRUCTURE, f"“{province}”不是省级行政区划代码",
                    f"{province!r} is not a province code", raw)
    if not 0 <= channel <= 9:
        raise _fail(field, STRUCTURE, "开具渠道应为一位数字", "the channel is one digit", raw)
    if not 1 <= seq < 10**15:
        raise _fail(field, STRUCTURE, "顺序号应为1至15位数字且不为0", "the sequence is 1 to 15 digits, not 0",
                    raw)


def format_invoice_number(year: int, province: str | int, channel: int, seq: int,
                          field: str = "invoice_number") -> str:
    """Build the 20 digits: 2-digit year, 2-digit province code, 1-digit channel, 15-digit sequence."""
    province = f"{province:02d}" if isinstance(province, int) else str(province)
    _check_invoice_parts(year, province, channel, seq, field, (year, province, channel, seq))
    return f"{year % 100:02d}{province}{channel}{seq:015d}"


def parse_invoice_number(text: object, field: str = "invoice_number") -> InvoiceNumber:
    value = normalize(text)
    _check_length(value, (20,), field, "数电票发票号码", "an invoice number", text)
    _check_characters(value, "0123456789", field, "数电票发票号码只含数字", "digits only", text)
    year, province, channel, seq = 2000 + int(value[:2]), value[2:4], int(value[4]), int(value[5:])
    _check_invoice_parts(year, province, channel, seq, field, text)
    return InvoiceNumber(value, year, province, regions.province_name(province) or "", channel, seq)


# --- classify --------------------------------------------------------------------------------

USCC_KIND, ID_KIND, LEGACY_KIND, UNKNOWN_KIND = "uscc", "id_number", "legacy_taxpayer_no", "unknown"


def _looks_like_id(value: str) -> bool:
    """17 digits, a digit or X, a province address code and a birth year 18xx–20xx.

    A USCC starts with an authority and an entity-type code, so the province test alone would
    confuse 机关 (11) or 社会团体 (51) codes with Beijing or Sichuan; the year test makes that rare.
    """
    return (value[:17].isdigit() and value[17] in "0123456789X" and value[6:8] in ("18", "19", "20")
            and (value[:2] in _PERMIT_REGIONS or regions.province_name(value[:2]) is not None))


@dataclass(frozen=True)
class Classification:
    value: str  # the normalised input
    kind: str
    valid: bool
    detail: str  # Chinese: what it is, or why it is invalid
    parsed: USCC | IDNumber | LegacyTaxpayerNo | None = None


_PARSERS = {USCC_KIND: parse_uscc, ID_KIND: parse_id_number, LEGACY_KIND: parse_legacy_taxpayer_no}
# Kinds to try for each length, the preferred reading first.
_CANDIDATES = {15: (LEGACY_KIND, ID_KIND), 17: (LEGACY_KIND,), 18: (USCC_KIND, ID_KIND, LEGACY_KIND),
               19: (LEGACY_KIND,), 20: (LEGACY_KIND,)}


def classify(text: object) -> Classification:
    """Which kind of identifier ``text`` is, whether it is valid, and a Chinese description.

    The first kind that validates wins. If none does, an 18-character string is reported as an ID
    number when it looks like one (``_looks_like_id``) and as a USCC otherwise; a 15-digit string
    gets the reasons it is neither a legacy number nor a first-generation ID number.
    """
    value = normalize(text)
    if not value:
        return Classification(value, UNKNOWN_KIND, False, "空值")
    candidates = _CANDIDATES.get(len(value))
    if candidates is None:
        return Classification(value, UNKNOWN_KIND, False,
                              f"长度为{len(value)}位：统一社会信用代码为18位，身份证号码为15或18位，"
                              "旧纳税人识别号为15、17、18、19或20位")
    failures: dict[str, ValidationFailure] = {}
    for kind in candidates:
        try:
            parsed = _PARSERS[kind](value)
        except ValidationFailure as exc:
            failures[kind] = exc
            continue
        detail = parsed.describe_zh()
        if kind == LEGACY_KIND and len(value) == 15 and is_valid_id_number(value):
            detail += "；也符合15位身份证号码的结构"
        return Classification(value, kind, True, detail, parsed)

    kind = candidates[0]
    detail = failures[kind].errors[0].message_zh
    if len(value) == 18 and _looks_like_id(value):
        kind, detail = ID_KIND, failures[ID_KIND].errors[0].message_zh
    elif len(value) == 15 and value.isdigit():
        detail = (f"不是有效的旧纳税人识别号（{detail}），"
                  f"也不是有效的15位身份证号码（{failures[ID_KIND].errors[0].message_zh}）")
    if len(value) == 20:
        try:
            invoice = parse_invoice_number(value)
        except ValidationFailure:
            pass
        else:
            return Classification(value, UNKNOWN_KIND, False,
                                  f"不是纳税人识别号，形如{invoice.describe_zh()}")
    return Classification(value, kind, False, detail)


CSV_HEADER = ("input", "kind", "valid", "detail")


def check_lines(lines: Iterable[str]) -> list[tuple[str, str, str, str]]:
    """One CSV row (input, kind, valid, detail) per non-blank line, for ``zhishui ids check``."""
    rows = []
    for line in lines:
        raw = line.rstrip("\r\n")
        if not raw.strip():
            continue
        result = classify(raw)
        rows.append((raw, result.kind, "true" if result.valid else "false", result.detail))
    return rows
