"""USCC (GB 32100-2015), ID number (GB 11643-1999), legacy taxpayer numbers, 数电票 numbers, classify."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhishui.core import regions
from zhishui.core.errors import ValidationFailure
from zhishui.core.identifiers import (
    ID_KIND,
    LEGACY_KIND,
    UNKNOWN_KIND,
    USCC_ALPHABET,
    USCC_AUTHORITIES,
    USCC_KIND,
    check_lines,
    classify,
    format_invoice_number,
    id15_to_18,
    id_check_char,
    is_valid_id_number,
    is_valid_organisation_code,
    is_valid_uscc,
    normalize,
    organisation_code_check_char,
    parse_id_number,
    parse_invoice_number,
    parse_legacy_taxpayer_no,
    parse_uscc,
    uscc_check_char,
)

VALID_USCC = "914403001922038216"
VALID_ID = "11010519491231002X"
TODAY = date(2026, 11, 26)
PROVINCES = sorted(regions._tables().provinces)


def failure(fn, *args, **kwargs) -> ValidationFailure:
    with pytest.raises(ValidationFailure) as info:
        fn(*args, **kwargs)
    return info.value


# --- strategies ------------------------------------------------------------------------------

@st.composite
def usccs(draw) -> str:
    authority = draw(st.sampled_from(sorted(USCC_AUTHORITIES)))
    entity = draw(st.sampled_from(sorted(USCC_AUTHORITIES[authority][1])))
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    org = draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    first17 = authority + entity + region + org
    return first17 + uscc_check_char(first17)


@st.composite
def id_numbers(draw) -> tuple[str, date, bool]:
    province = draw(st.sampled_from(PROVINCES))
    rest = draw(st.text("0123456789", min_size=4, max_size=4))
    born = draw(st.dates(min_value=date(1880, 1, 1), max_value=TODAY))
    seq = draw(st.integers(0, 999))
    first17 = f"{province}{rest}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17), born, seq % 2 == 1


# --- USCC ------------------------------------------------------------------------------------

def test_uscc_vector_decodes():
    code = parse_uscc(VALID_USCC)
    assert code.code == VALID_USCC
    assert (code.authority_code, code.authority) == ("9", "工商（市场监管）")
    assert (code.entity_type_code, code.entity_type) == ("1", "企业")
    assert code.region_code == "440300"
    assert code.region_name == "广东省深圳市"
    assert code.organisation_code == "192203821"
    assert code.organisation_code_ok
    assert "企业" in code.describe_zh() and "19220382-1" in code.describe_zh()


def test_uscc_normalised():
    assert parse_uscc(f"  {VALID_USCC.lower()}\n").code == VALID_USCC
    full_width = VALID_USCC.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert parse_uscc(full_width).code == VALID_USCC


def test_uscc_wrong_check_character_names_the_right_one():
    err = failure(parse_uscc, "9144030071526726X7", field="seller_uscc")
    assert err.code == "check"
    first = err.errors[0]
    assert first.field == "seller_uscc"
    assert "应为“G”" in first.message_zh and "'G'" in first.message_en
    assert first.value == "9144030071526726X7"


def test_uscc_letters_outside_alphabet_are_named_with_positions():
    err = failure(parse_uscc, "9150010807MGZHI002")
    assert err.code == "character"
    message = err.errors[0].message_zh
    assert "第13位“Z”" in message and "第15位“I”" in message
    assert "'Z' at position 13" in err.errors[0].message_en
    assert "'I' at position 15" in err.errors[0].message_en


@pytest.mark.parametrize("text", ["", "91440300192203821", "9144030019220382166"])
def test_uscc_wrong_length(text):
    err = failure(parse_uscc, text)
    assert err.code == "length"
    assert f"实为{len(text)}位" in err.errors[0].message_zh


def test_uscc_region_must_be_digits():
    first17 = "91A40300192203821"
    err = failure(parse_uscc, first17 + uscc_check_char(first17))
    assert err.code == "character"
    assert "第3位“A”" in err.errors[0].message_zh


def test_uscc_check_31_is_written_0():
    # Find a body whose weighted sum is ≡ 0 (mod 31): its check character is 0, not a 32nd symbol.
    body = next(f"91440300{n:09d}" for n in range(10**6) if uscc_check_char(f"91440300{n:09d}") == "0")
    assert is_valid_uscc(body + "0")


def test_uscc_unlisted_codes_are_valid_but_named():
    first17 = "B1440300192203821"  # B is in the alphabet but in no registration-authority table
    code = parse_uscc(first17 + uscc_check_char(first17))
    assert code.authority is None and code.entity_type is None
    assert "未列入编码表的代码B" in code.describe_zh()
    first17 = "97440300192203821"  # 工商 has no entity type 7
    code = parse_uscc(first17 + uscc_check_char(first17))
    assert code.authority == "工商（市场监管）" and code.entity_type is None


def test_uscc_national_registration_region():
    first17 = "91100000192203821"
    assert parse_uscc(first17 + uscc_check_char(first17)).region_name == "国家级登记管理机关"


def test_uscc_authority_table_matches_the_standard():
    assert set(USCC_AUTHORITIES) == set("123456789ANY")
    assert USCC_AUTHORITIES["1"][1] == {"1": "机关", "2": "事业单位",
                                        "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}
    assert USCC_AUTHORITIES["5"][1] == {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}
    assert USCC_AUTHORITIES["9"][1] == {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}
    used = "".join(code + "".join(types) for code, (_, types) in USCC_AUTHORITIES.items())
    assert set(used) <= set(USCC_ALPHABET)


def test_every_single_character_change_of_a_valid_uscc_is_detected():
    for i, original in enumerate(VALID_USCC):
        for ch in USCC_ALPHABET:
            if ch != original:
                assert not is_valid_uscc(VALID_USCC[:i] + ch + VALID_USCC[i + 1:]), (i, ch)


@given(usccs())
def test_generated_usccs_round_trip(code):
    parsed = parse_uscc(code.lower())
    assert parsed.code == code
    assert parsed.authority == USCC_AUTHORITIES[code[0]][0]
    assert parsed.entity_type == USCC_AUTHORITIES[code[0]][1][code[1]]
    assert parsed.region_code + parsed.organisation_code == code[2:17]
    assert classify(code).kind == USCC_KIND


@given(usccs(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_generated_uscc_single_substitution_detected(code, position, ch):
    mutated = code[:position] + ch + code[position + 1:]
    assert is_valid_uscc(mutated) == (mutated == code)


@given(usccs(), st.integers(0, 15))
def test_generated_uscc_adjacent_transposition_detected(code, i):
    # The weights are distinct modulo the prime 31, so swapping two different characters always shows.
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
    assert is_valid_uscc(swapped) == (swapped == code)


def test_organisation_code_check():
    assert organisation_code_check_char("19220382") == "1"
    assert is_valid_organisation_code("71526726X")
    assert not is_valid_organisation_code("715267261")
    assert not is_valid_organisation_code("7152672")


# --- ID number -------------------------------------------------------------------------------

def test_id_vector_decodes():
    person = parse_id_number(VALID_ID)
    assert person.number == VALID_ID
    assert person.birth_date == date(1949, 12, 31)
    assert not person.male and person.gender_zh == "女"
    assert person.region_code == "110105"
    assert person.region_name == "北京市朝阳区"
    assert person.converted_from is None
    assert "1949-12-31" in person.describe_zh() and "女" in person.describe_zh()


def test_id_lowercase_x():
    assert parse_id_number("11010519491231002x").number == VALID_ID


def test_id_wrong_check_character():
    err = failure(parse_id_number, "110105194912310021", field="payee_id")
    assert err.code == "check"
    assert err.errors[0].field == "payee_id"
    assert "应为“X”" in err.errors[0].message_zh


def test_id_weights_are_the_standard_ones():
    # GB 11643-1999 §7.2 lists them: 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
    from zhishui.core.identifiers import _ID_WEIGHTS

    assert _ID_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


@pytest.mark.parametrize(("first17", "reason"), [
    ("11010519490230002", "不是有效日期"),
    ("11010519491301002", "不是有效日期"),
    ("11010518791231002", "早于1880年"),
    ("11010520261127002", "晚于今天"),
    ("99010519491231002", "不是省级行政区划代码"),
])
def test_id_structure_errors(first17, reason):
    err = failure(parse_id_number, _with_check(first17), today=TODAY)
    assert err.code == "structure"
    assert reason in err.errors[0].message_zh


def test_id_born_today_is_valid():
    assert parse_id_number(_with_check("11010520261126001"), today=TODAY).male


def test_id_illegal_characters():
    err = failure(parse_id_number, "1101051949123100AX")
    assert err.code == "character" and "第17位“A”" in err.errors[0].message_zh
    err = failure(parse_id_number, "11010519491231002Y")
    assert err.code == "character" and "第18位“Y”" in err.errors[0].message_zh


def test_id_wrong_length():
    err = failure(parse_id_number, "1101051949123100")
    assert err.code == "length" and "15或18位" in err.errors[0].message_zh


def test_id_15_to_18():
    assert id15_to_18("110105491231002") == VALID_ID
    person = parse_id_number("110105491231002")
    assert person.number == VALID_ID and person.converted_from == "110105491231002"
    assert person.birth_date == date(1949, 12, 31)
    assert "18位号码：11010519491231002X" in person.describe_zh()
    assert failure(id15_to_18, "11010549123100A").code == "character"
    assert failure(id15_to_18, VALID_ID).code == "length"
    assert failure(parse_id_number, "110105491331002").code == "structure"


def test_residence_permit_numbers():
    person = parse_id_number(_with_check("81000019900101001"))
    assert person.male and "香港" in (person.region_name or "")


def test_id_region_that_no_longer_exists_falls_back_to_city():
    # 610301 is not (or no longer) a district of Baoji; the birth province and city still show.
    assert parse_id_number(_with_check("61030119800101002")).region_name == "陕西省宝鸡市"


@given(id_numbers())
def test_generated_ids_round_trip(generated):
    number, born, male = generated
    person = parse_id_number(number.lower(), today=TODAY)
    assert (person.number, person.birth_date, person.male) == (number, born, male)


@given(id_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_generated_id_single_substitution_detected(generated, position, ch):
    number = generated[0]
    mutated = number[:position] + ch + number[position + 1:]
    if mutated != number:
        assert not is_valid_id_number(mutated)


# --- legacy taxpayer numbers -----------------------------------------------------------------

def test_legacy_15_unit_number():
    legacy = parse_legacy_taxpayer_no("610303192203821")
    assert legacy.base == "192203821"
    assert legacy.region_name == "陕西省宝鸡市金台区"
    assert "行政区划码+组织机构代码" in legacy.describe_zh()


def test_legacy_15_bad_organisation_check():
    err = failure(parse_legacy_taxpayer_no, "610303192203822")
    assert err.code == "check" and "GB 11714" in err.errors[0].message_zh


def test_legacy_15_bad_province():
    assert failure(parse_legacy_taxpayer_no, "990303192203821").code == "structure"


def test_legacy_id_plus_sequence():
    assert parse_legacy_taxpayer_no(VALID_ID + "01").base == VALID_ID
    assert parse_legacy_taxpayer_no("110105491231002" + "02").form_zh == "15位身份证号码+2位顺序码"
    err = failure(parse_legacy_taxpayer_no, "110105194912310021" + "01")
    assert "前18位应为有效的身份证号码" in err.errors[0].message_zh
    assert failure(parse_legacy_taxpayer_no, VALID_ID + "0A").code == "character"


def test_legacy_18_unit_number_with_suffix():
    legacy = parse_legacy_taxpayer_no("610303192203821001")
    assert legacy.form_zh == "15位单位税号+3位数字后缀"
    assert failure(parse_legacy_taxpayer_no, "61030319220382100A").code == "character"


def test_legacy_temporary_numbers():
    assert parse_legacy_taxpayer_no("L" + VALID_USCC).base == VALID_USCC
    assert parse_legacy_taxpayer_no("l" + VALID_ID.lower()).base == VALID_ID
    err = failure(parse_legacy_taxpayer_no, "L9144030071526726X7")
    assert "“L”之后" in err.errors[0].message_zh and "应为“G”" in err.errors[0].message_zh
    assert failure(parse_legacy_taxpayer_no, "X" + VALID_USCC).code == "character"


def test_legacy_wrong_length():
    assert failure(parse_legacy_taxpayer_no, "6103031922038").code == "length"


# --- 数电票 invoice numbers ----------------------------------------------------------------------

def test_invoice_number_round_trip():
    number = format_invoice_number(2024, "61", 1, 123)
    assert number == "24611000000000000123"
    invoice = parse_invoice_number(number)
    parts = (invoice.year, invoice.province_code, invoice.province_name, invoice.channel, invoice.sequence)
    assert parts == (2024, "61", "陕西省", 1, 123)
    assert format_invoice_number(2025, 61, 0, 10**15 - 1) == "25610999999999999999"


@given(st.integers(2021, 2099), st.sampled_from(PROVINCES), st.integers(0, 9), st.integers(1, 10**15 - 1))
def test_generated_invoice_numbers_round_trip(year, province, channel, seq):
    invoice = parse_invoice_number(format_invoice_number(year, province, channel, seq))
    parts = (invoice.year, invoice.province_code, invoice.channel, invoice.sequence)
    assert parts == (year, province, channel, seq)


@pytest.mark.parametrize(("text", "code", "fragment"), [
    ("2461100000000000012", "length", "应为20位"),
    ("2461100000000000012A", "character", "第20位“A”"),
    ("24991000000000000123", "structure", "不是省级行政区划代码"),
    ("20611000000000000123", "structure", "年度2020"),
    ("24611000000000000000", "structure", "顺序号"),
])
def test_invoice_number_errors(text, code, fragment):
    err = failure(parse_invoice_number, text)
    assert err.code == code and fragment in err.errors[0].message_zh
    assert err.errors[0].field == "invoice_number" and err.errors[0].value == text


def test_format_invoice_number_rejects_bad_parts():
    assert failure(format_invoice_number, 2024, "61", 10, 1).code == "structure"
    assert failure(format_invoice_number, 2024, "61", 1, 10**15).code == "structure"


# --- classify --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "valid", "fragment"), [
    (VALID_USCC, USCC_KIND, True, "企业"),
    ("9144030071526726X7", USCC_KIND, False, "应为“G”"),
    ("9150010807MGZHI002", USCC_KIND, False, "第13位“Z”"),
    (VALID_ID, ID_KIND, True, "出生日期：1949-12-31；性别：女"),
    ("110105194912310021", ID_KIND, False, "应为“X”"),
    ("11010520991231002X", ID_KIND, False, "晚于今天"),
    ("110105194913310021", ID_KIND, False, "不是有效日期"),
    ("110105491231002", ID_KIND, True, "15位旧号"),
    ("610303192203821", LEGACY_KIND, True, "金台区"),
    ("610303192203822", LEGACY_KIND, False, "也不是有效的15位身份证号码"),
    ("61030319220382A", LEGACY_KIND, False, "组织机构代码校验位应为"),
    ("6103031922038-1", LEGACY_KIND, False, "第14位“-”"),
    ("11010549123100201", LEGACY_KIND, True, "15位身份证号码+2位顺序码"),
    ("610303192203821001", LEGACY_KIND, True, "3位数字后缀"),
    ("L" + VALID_USCC, LEGACY_KIND, True, "临时纳税人"),
    (VALID_ID + "01", LEGACY_KIND, True, "18位身份证号码+2位顺序码"),
    ("24611000000000000123", UNKNOWN_KIND, False, "数电票发票号码；2024年；陕西省"),
    ("hello", UNKNOWN_KIND, False, "长度为5位"),
    ("   ", UNKNOWN_KIND, False, "空值"),
    ("金台区税务局金台区税务局金台区税务局", USCC_KIND, False, "非法字符"),
])
def test_classify(text, kind, valid, fragment):
    result = classify(text)
    assert (result.kind, result.valid) == (kind, valid)
    assert fragment in result.detail
    assert (result.parsed is not None) == valid


def test_classify_15_digits_fitting_both_readings_says_so():
    # A unit number whose digits also read as a first-generation ID number (born 1984-01-01).
    number = next(f"110105840101{n:03d}" for n in range(1000)
                  if is_valid_organisation_code(f"840101{n:03d}"))
    result = classify(number)
    assert result.kind == LEGACY_KIND and "也符合15位身份证号码的结构" in result.detail


def test_classify_non_string():
    assert classify(None).kind == UNKNOWN_KIND
    assert normalize(123) == ""


# --- ids check -------------------------------------------------------------------------------

def test_check_lines():
    rows = check_lines([f"{VALID_USCC}\n", "\n", "110105194912310021\r\n", "a,b"])
    assert [r[:3] for r in rows] == [(VALID_USCC, "uscc", "true"),
                                     ("110105194912310021", "id_number", "false"),
                                     ("a,b", "unknown", "false")]


def _ids_check(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "DJANGO_SETTINGS_MODULE": "zhishui.settings"}
    return subprocess.run([sys.executable, "-m", "django", "ids", "check", *args], input=stdin, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=60, check=False)


def test_ids_check_command_stdin():
    odd = 'x,"y'
    done = _ids_check("-", stdin=f"\ufeff{VALID_USCC}\n{odd}\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "input,kind,valid,detail",
        f"{VALID_USCC},uscc,true,{classify(VALID_USCC).detail}",
        f'"x,""y",unknown,false,{classify(odd).detail}',
    ]


def test_ids_check_command_file(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_text(f"{VALID_ID}\n9150010807MGZHI002\n", encoding="utf-8")
    done = _ids_check(str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2].startswith("9150010807MGZHI002,uscc,false,")


def test_ids_check_command_unreadable(tmp_path):
    done = _ids_check(str(tmp_path / "missing.txt"))
    assert done.returncode == 2
    assert "无法读取" in done.stderr and "cannot read" in done.stderr
    assert done.stdout == ""
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert _ids_check(str(binary)).returncode == 2
