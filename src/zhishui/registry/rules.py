"""Row rules of each feed (the "notes" column of EXCHANGE.md) and duplicate keys within a file.

Rules that tie two files together (invoice lines adding up to their invoice, red invoices and
their blue ones) need the database and live in ``importer``.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhishui.core import regions
from zhishui.core.errors import ValidationFailure

from .readers import Problem
from .validate import Checked, _mask

# ISO 3166-1 alpha-2 (officially assigned codes).
ISO3166 = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI
FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN
IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE
YT ZA ZM ZW""".split())


def _present(ck: Checked, name: str) -> np.ndarray:
    return _mask(pc.is_valid(ck.canon[name]))


def _equals(ck: Checked, name: str, value: str) -> np.ndarray:
    return _mask(pc.equal(ck.canon[name], value))


def _before(ck: Checked, later: str, earlier: str) -> np.ndarray:
    """Rows where both dates are present and ``later`` is before ``earlier`` (ISO dates compare as text)."""
    return _mask(pc.less(ck.canon[later], ck.canon[earlier]))


def _pattern(ck: Checked, name: str, regex: str, zh: str, en: str) -> None:
    bad = _present(ck, name) & ~_mask(pc.match_substring_regex(ck.canon[name], regex))
    if bad.any():
        ck.add(np.nonzero(bad)[0], name, zh, en)


@cache
def _region_known(code: str, lengths: tuple[int, ...]) -> bool:
    if len(code) not in lengths:
        return False
    try:
        regions.resolve(code)
    except ValidationFailure:
        return False
    return True


def _regions(ck: Checked, name: str, lengths: tuple[int, ...]) -> None:
    arr = ck.canon[name]
    present = _present(ck, name)
    if not present.any():
        return
    encoded = pc.dictionary_encode(pc.fill_null(arr, "")).combine_chunks() if isinstance(arr, pa.ChunkedArray) \
        else pc.dictionary_encode(pc.fill_null(arr, ""))
    known = np.array([_region_known(v, lengths) for v in encoded.dictionary.to_pylist()], dtype=bool)
    ok = known[encoded.indices.to_numpy(zero_copy_only=False)] if len(known) else np.zeros(len(arr), bool)
    bad = present & ~ok
    if bad.any():
        want = "或".join(str(n) for n in lengths)
        ck.add(np.nonzero(bad)[0], name, f"应为{want}位且存在的行政区划代码",
               f"must be an existing {' or '.join(str(n) for n in lengths)}-digit division code")


def _market_entities(ck: Checked) -> None:
    closed = _mask(pc.is_in(ck.canon["status"], value_set=pa.array(["deregistered", "revoked"])))
    dated = _present(ck, "deregistered_on")
    if (dated & ~closed).any():
        ck.add(np.nonzero(dated & ~closed)[0], "deregistered_on", "仅注销或吊销的主体填写注销日期",
               "only a deregistered or revoked entity has a deregistration date")
    early = _before(ck, "deregistered_on", "established_on")
    if early.any():
        ck.add(np.nonzero(early)[0], "deregistered_on", "注销日期早于成立日期",
               "deregistered before it was established")
    _pattern(ck, "industry_code", r"^[A-T]\d{4}$", "行业代码应为门类字母加4位数字（GB/T 4754-2017），如C3311",
             "an industry code is a section letter and 4 digits (GB/T 4754-2017), e.g. C3311")
    _regions(ck, "region_code", (9,))


def _persons(ck: Checked) -> None:
    _regions(ck, "region_code", (6, 9))


def _relations(ck: Checked) -> None:
    ratio = _present(ck, "share_ratio") & ~_equals(ck, "role", "shareholder")
    if ratio.any():
        ck.add(np.nonzero(ratio)[0], "share_ratio", "只有股东填写持股比例", "only shareholders have a share ratio")
    ended = _before(ck, "end_on", "start_on")
    if ended.any():
        ck.add(np.nonzero(ended)[0], "end_on", "终止日期早于起始日期", "ends before it starts")


def _real_estate(ck: Checked) -> None:
    home = _present(ck, "buyer_first_home") & ~_equals(ck, "property_type", "residential")
    if home.any():
        ck.add(np.nonzero(home)[0], "buyer_first_home", "仅住宅交易填写买方家庭唯一住房",
               "only residential sales state whether it is the buyer's only home")
    early = _before(ck, "registered_on", "signed_on")
    if early.any():
        ck.add(np.nonzero(early)[0], "registered_on", "登记日期早于网签日期",
               "registered before the contract was signed")


def _property_holdings(ck: Checked) -> None:
    grade = ck.extra["land_grade.int"]
    bad = _present(ck, "land_grade") & (grade < 1)
    if bad.any():
        ck.add(np.nonzero(bad)[0], "land_grade", "土地等级从1开始", "land grades start at 1")


def _customs_exports(ck: Checked) -> None:
    _pattern(ck, "declaration_no", r"^\d{18}$", "报关单号应为18位数字", "a declaration number has 18 digits")
    _pattern(ck, "hs_code", r"^\d{8,10}$", "商品编码应为8至10位数字", "an HS code has 8 to 10 digits")
    dest = ck.canon["destination"]
    bad = _present(ck, "destination") & ~_mask(pc.is_in(dest, value_set=pa.array(sorted(ISO3166))))
    if bad.any():
        ck.add(np.nonzero(bad)[0], "destination", "目的国（地区）应为ISO 3166两位字母代码，如US",
               "the destination is an ISO 3166 alpha-2 code, e.g. US")


def _invoices(ck: Checked) -> None:
    amount = ck.extra["amount.fen"]
    tax = ck.extra["tax.fen"]
    red = _present(ck, "red_of")
    amount_ok = _present(ck, "amount")
    negative = amount_ok & (amount < 0)
    missing_blue = negative & ~red
    if missing_blue.any():
        ck.add(np.nonzero(missing_blue)[0], "red_of", "红字发票（负数金额）须填写对应蓝字发票号码",
               "a red invoice (negative amount) must name its blue invoice")
    positive_red = red & amount_ok & (amount >= 0)
    if positive_red.any():
        ck.add(np.nonzero(positive_red)[0], "amount", "填写了对应蓝字发票的红字发票金额应为负数",
               "a red invoice (one naming a blue invoice) has a negative amount")
    itself = red & _mask(pc.equal(ck.canon["red_of"], ck.canon["invoice_no"]))
    if itself.any():
        ck.add(np.nonzero(itself)[0], "red_of", "红字发票不能冲销自身", "a red invoice cannot reverse itself")
    opposite = amount_ok & _present(ck, "tax") & (((amount < 0) & (tax > 0)) | ((amount > 0) & (tax < 0)))
    if opposite.any():
        ck.add(np.nonzero(opposite)[0], "tax", "税额与金额的正负号不一致", "tax and amount have opposite signs")
    special = _equals(ck, "invoice_type", "special") & ~_present(ck, "buyer_id")
    if special.any():
        ck.add(np.nonzero(special)[0], "buyer_id", "增值税专用发票须有购买方识别号",
               "a special VAT invoice names its buyer")


def _invoice_lines(ck: Checked) -> None:
    number = ck.extra["line_no.int"]
    bad = _present(ck, "line_no") & (number < 1)
    if bad.any():
        ck.add(np.nonzero(bad)[0], "line_no", "行号从1开始", "line numbers start at 1")
    _pattern(ck, "goods_code", r"^\d{19}$", "税收分类编码应为19位数字", "a goods and services code has 19 digits")
    _pattern(ck, "item_name", r"^\*[^*]+\*.+$", "项目名称应为“*简称*名称”形式",
             "an item name has the form *category*name")
    amount = ck.extra["amount.fen"]
    tax = ck.extra["tax.fen"]
    rate = ck.extra["tax_rate.micro"]
    both = _present(ck, "amount") & _present(ck, "tax") & _present(ck, "tax_rate")
    small = both & (np.abs(amount) < 9_000_000_000_000)  # amount × rate fits in int64
    # |tax − amount × rate| ≤ 0.06 元, in fen × 10⁶ to stay in integers.
    deviation = np.abs(tax * 1_000_000 - amount * rate)
    off = small & (deviation > 6 * 1_000_000)
    for i in np.nonzero(both & ~small)[0].tolist():
        exact = abs(Decimal(int(tax[i])) - Decimal(int(amount[i])) * Decimal(int(rate[i])) / Decimal(1_000_000))
        off[i] = exact > 6
    if off.any():
        ck.add(np.nonzero(off)[0], "tax", "税额与金额×税率相差超过0.06元",
               "tax differs from amount × rate by more than 0.06")


def _returns(ck: Checked) -> None:
    filed = _present(ck, "filed_at")
    for name in ("declared_sales", "tax_payable", "tax_paid", "paid_at"):
        stray = ~filed & _present(ck, name)
        if stray.any():
            ck.add(np.nonzero(stray)[0], name, "未申报（申报时间为空）的记录不应有金额或缴款时间",
                   "a return never filed (no filing time) has no amounts or payment time")
    payable = filed & ~_present(ck, "tax_payable")
    if payable.any():
        ck.add(np.nonzero(payable)[0], "tax_payable", "已申报的记录须有应纳税额",
               "a filed return states the tax payable")



RULES = {
    "market_entities": _market_entities,
    "persons": _persons,
    "relations": _relations,
    "real_estate": _real_estate,
    "property_holdings": _property_holdings,
    "customs_exports": _customs_exports,
    "invoices": _invoices,
    "invoice_lines": _invoice_lines,
    "returns": _returns,
}


def _duplicate_keys(ck: Checked) -> None:
    feed = ck.feed
    n = ck.n
    ck.extra["_merged"] = np.zeros(n, dtype=bool)
    if n < 2:
        if feed.name == "persons":
            ck.extra["id_forms"] = np.where(ck.extra["id_number.was15"], 2, 1).astype(np.int64)
        return
    # Each key column as integer codes (integers as they are, text as dictionary indices), rows sorted
    # on all of them: a duplicate key is a row equal to its predecessor.
    codes = []
    usable = np.ones(n, dtype=bool)
    for name in feed.key:
        col = feed.column(name)
        if not col.nullable:
            usable &= _present(ck, name)
        if col.kind == "integer":
            codes.append(np.where(_present(ck, name), ck.extra[f"{name}.int"], np.iinfo(np.int64).min))
        else:
            encoded = pc.dictionary_encode(ck.canon[name])
            codes.append(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64))
    codes.append(np.where(usable, 0, np.arange(n) + 1))  # unusable keys never collide
    order = np.lexsort(codes[::-1])
    same_as_prev = np.zeros(n, dtype=bool)
    same_as_prev[1:] = np.logical_and.reduce([c[order][1:] == c[order][:-1] for c in codes])
    if feed.name == "persons":
        ck.extra["id_forms"] = np.where(ck.extra["id_number.was15"], 2, 1).astype(np.int64)
    if not same_as_prev.any():
        return
    group_start = np.maximum.accumulate(np.where(~same_as_prev, np.arange(n), 0))
    first_row = order[group_start]
    dup_rows = order[same_as_prev]
    firsts = first_row[same_as_prev]
    if feed.name == "persons":
        dup_rows, firsts = _merge_old_and_new_numbers(ck, order, same_as_prev, group_start)
    if len(dup_rows):
        lines = ck.lines
        key_text = "、".join(feed.key)
        file = ck.raw.path.name
        ck.bad[dup_rows] = True
        for r, f in zip(dup_rows.tolist(), firsts.tolist(), strict=True):
            ck.problems.append((r, Problem(file, int(lines[r]), feed.key[0], "|".join(
                str(ck.raw.table.column(k)[r].as_py()) if k in ck.raw.table.column_names else "" for k in feed.key),
                f"键（{key_text}）与第{int(lines[f])}行重复",
                f"duplicate key ({key_text}): same as line {int(lines[f])}")))


def _merge_old_and_new_numbers(ck: Checked, order, same_as_prev, group_start):
    """Persons: the same number as 15 and as 18 digits is one person, kept once (a finding, not an error)."""
    was15 = ck.extra["id_number.was15"]
    forms = ck.extra["id_forms"]
    merged = ck.extra["_merged"]
    dup_rows, firsts = [], []
    n = len(order)
    i = 0
    while i < n:
        j = i + 1
        while j < n and same_as_prev[j]:
            j += 1
        if j - i > 1:
            members = order[i:j]
            new = [r for r in members.tolist() if not was15[r]]
            old = [r for r in members.tolist() if was15[r]]
            keep = new[0] if new else old[0]
            if new and old:
                forms[keep] = 3
                for r in old:
                    merged[r] = True
                ck.notes.append(Problem(ck.raw.path.name, int(ck.lines[old[0]]), "id_number", None,
                                        f"第{int(ck.lines[old[0]])}行的15位旧号与第{int(ck.lines[keep])}行的18位号码为同一人，已合并",
                                        f"line {int(ck.lines[old[0]])} (old 15-digit number) is the same person as "
                                        f"line {int(ck.lines[keep])}; merged"))
            same_form = [r for r in (new if new else old) if r != keep]
            dup_rows += same_form
            firsts += [keep] * len(same_form)
        i = j
    del group_start
    return np.asarray(dup_rows, dtype=np.int64), np.asarray(firsts, dtype=np.int64)


def apply_rules(ck: Checked) -> None:
    rule = RULES.get(ck.feed.name)
    if rule is not None and ck.n:
        rule(ck)
    _duplicate_keys(ck)
