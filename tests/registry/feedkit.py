"""A small, coherent feed directory in the exchange format, and helpers to write broken variants."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from zhishui.core.identifiers import id_check_char, uscc_check_char
from zhishui.registry.feeds import FEEDS


def uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


def id18(body17: str) -> str:
    return body17 + id_check_char(body17)


# Enterprises of 金台区 (registration authority 610303) and one from elsewhere (Xi'an 610113).
ACME = uscc("91610303MA6X00001")
BETA = uscc("91610303MA6X00002")
GAMMA = uscc("91610303MA6X00003")  # market entity only: never registered for tax
CLOSED = uscc("91610303MA6X00004")  # deregistered in 2024-06
OUTSIDE = uscc("91610113MA6Y00009")
ZHANG = id18("61030319800101123")  # legal rep of ACME and shareholder of BETA
LI = id18("61030319850202234")
WANG = id18("61030319900303345")
ZHAO = id18("61030319750404456")  # only in relations (unknown person)
OLD15 = "610303700505567"  # a first-generation number; its 18-digit form is delivered too
OLD18 = OLD15[:6] + "19" + OLD15[6:] + id_check_char(OLD15[:6] + "19" + OLD15[6:])
SOLE = id18("61030319920606678")  # individual business registered by ID card


def rows() -> dict[str, list[dict]]:
    return {
        "market_entities": [
            {
                "uscc": ACME,
                "name": "宝鸡市金台区艾克米机械有限公司",
                "entity_type": "enterprise",
                "established_on": "2015-03-01",
                "status": "active",
                "deregistered_on": "",
                "registered_capital": "5000000.00",
                "industry_code": "C3311",
                "region_code": "610303001",
                "address": "中山东路1号",
                "legal_rep_id": ZHANG,
                "phone": "13812345678",
            },
            {
                "uscc": BETA,
                "name": "宝鸡市金台区贝塔商贸有限公司",
                "entity_type": "enterprise",
                "established_on": "2018-07-15",
                "status": "active",
                "deregistered_on": "",
                "registered_capital": "1000000.00",
                "industry_code": "F5191",
                "region_code": "610303002",
                "address": '=HYPERLINK("x")东风路8号',
                "legal_rep_id": LI,
                "phone": "",
            },
            {
                "uscc": GAMMA,
                "name": "宝鸡市金台区伽马科技有限公司",
                "entity_type": "enterprise",
                "established_on": "2020-01-10",
                "status": "active",
                "deregistered_on": "",
                "registered_capital": "300000.00",
                "industry_code": "I6510",
                "region_code": "610303001",
                "address": "金台大道3号",
                "legal_rep_id": WANG,
                "phone": "0917-3456789",
            },
            {
                "uscc": CLOSED,
                "name": "宝鸡市金台区德尔塔餐饮有限公司",
                "entity_type": "enterprise",
                "established_on": "2016-05-05",
                "status": "deregistered",
                "deregistered_on": "2024-06-30",
                "registered_capital": "100000.00",
                "industry_code": "H6210",
                "region_code": "610303002",
                "address": "宝福路5号",
                "legal_rep_id": WANG,
                "phone": "",
            },
        ],
        "tax_registrations": [
            {
                "taxpayer_id": ACME,
                "name": "宝鸡市金台区艾克米机械有限公司",
                "taxpayer_kind": "enterprise",
                "vat_status": "general",
                "registered_on": "2015-03-20",
                "tax_office": "国家税务总局宝鸡市金台区税务局",
                "officer_id": "G0012",
                "state": "normal",
                "urban_class": "city",
            },
            {
                "taxpayer_id": BETA,
                "name": "宝鸡市金台区贝塔商贸有限公司",
                "taxpayer_kind": "enterprise",
                "vat_status": "small_scale",
                "registered_on": "2018-08-01",
                "tax_office": "国家税务总局宝鸡市金台区税务局",
                "officer_id": "G0013",
                "state": "normal",
                "urban_class": "city",
            },
            {
                "taxpayer_id": CLOSED,
                "name": "宝鸡市金台区德尔塔餐饮有限公司",
                "taxpayer_kind": "enterprise",
                "vat_status": "small_scale",
                "registered_on": "2016-06-01",
                "tax_office": "国家税务总局宝鸡市金台区税务局",
                "officer_id": "G0013",
                "state": "deregistered",
                "urban_class": "city",
            },
            {
                "taxpayer_id": SOLE,
                "name": "金台区王记面馆",
                "taxpayer_kind": "individual_business",
                "vat_status": "small_scale",
                "registered_on": "2021-04-01",
                "tax_office": "国家税务总局宝鸡市金台区税务局",
                "officer_id": "G0014",
                "state": "normal",
                "urban_class": "city",
            },
        ],
        "persons": [
            {"id_number": ZHANG, "name": "张伟", "region_code": "610303", "phone": "13812345678"},
            {"id_number": LI, "name": "李娜", "region_code": "610303001", "phone": "+86 139 1234 5678"},
            {"id_number": WANG, "name": "王芳", "region_code": "610302", "phone": ""},
            {"id_number": OLD18, "name": "刘洋", "region_code": "610303", "phone": ""},
            {"id_number": OLD15, "name": "刘洋", "region_code": "610303", "phone": ""},
            {"id_number": SOLE, "name": "王强", "region_code": "610303", "phone": "13700001111"},
        ],
        "relations": [
            {
                "person_id": ZHANG,
                "entity_id": ACME,
                "role": "legal_rep",
                "share_ratio": "",
                "start_on": "2015-03-01",
                "end_on": "",
            },
            {
                "person_id": ZHANG,
                "entity_id": ACME,
                "role": "shareholder",
                "share_ratio": "0.6",
                "start_on": "2015-03-01",
                "end_on": "",
            },
            {
                "person_id": LI,
                "entity_id": ACME,
                "role": "finance",
                "share_ratio": "",
                "start_on": "2016-01-01",
                "end_on": "",
            },
            {
                "person_id": ZHANG,
                "entity_id": BETA,
                "role": "shareholder",
                "share_ratio": "0.3",
                "start_on": "2018-07-15",
                "end_on": "",
            },
            {
                "person_id": LI,
                "entity_id": BETA,
                "role": "legal_rep",
                "share_ratio": "",
                "start_on": "2018-07-15",
                "end_on": "",
            },
            {
                "person_id": ZHAO,
                "entity_id": BETA,
                "role": "shareholder",
                "share_ratio": "0.7",
                "start_on": "2018-07-15",
                "end_on": "",
            },
            {
                "person_id": WANG,
                "entity_id": GAMMA,
                "role": "legal_rep",
                "share_ratio": "",
                "start_on": "2020-01-10",
                "end_on": "",
            },
        ],
        "social_insurance": [
            {
                "entity_id": ACME,
                "month": "2025-01",
                "insured_count": "35",
                "wage_base": "210000.00",
                "contribution": "65100.00",
            },
            {
                "entity_id": ACME,
                "month": "2025-02",
                "insured_count": "36",
                "wage_base": "216000.00",
                "contribution": "66960.00",
            },
            {
                "entity_id": CLOSED,
                "month": "2024-06",
                "insured_count": "5",
                "wage_base": "20000.00",
                "contribution": "6200.00",
            },
            {
                "entity_id": CLOSED,
                "month": "2024-08",
                "insured_count": "4",
                "wage_base": "16000.00",
                "contribution": "4960.00",
            },
        ],
        "utilities": [
            {"entity_id": ACME, "month": "2025-01", "electricity_kwh": "12500.5", "water_m3": "320"},
            {"entity_id": ACME, "month": "2025-02", "electricity_kwh": "11800", "water_m3": ""},
        ],
        "real_estate": [
            {
                "transaction_id": "JT2025000001",
                "property_id": "610303001001GB00001F00010001",
                "seller_id": ACME,
                "buyer_id": ZHANG,
                "property_type": "residential",
                "area_m2": "98.5",
                "contract_price": "880000.00",
                "signed_on": "2025-02-01",
                "registered_on": "2025-02-20",
                "buyer_first_home": "true",
            },
        ],
        "property_holdings": [
            {
                "property_id": "610303001001GB00001F00020001",
                "owner_id": ACME,
                "property_type": "industrial",
                "land_area_m2": "5000",
                "land_grade": "3",
                "original_value": "12000000.00",
                "annual_rent": "",
                "acquired_on": "2015-06-01",
            },
            {
                "property_id": "610303001001GB00001F00010001",
                "owner_id": ZHANG,
                "property_type": "residential",
                "land_area_m2": "",
                "land_grade": "",
                "original_value": "880000.00",
                "annual_rent": "",
                "acquired_on": "2025-02-20",
            },
        ],
        "customs_exports": [
            {
                "declaration_no": "610320250000000001",
                "exporter_id": ACME,
                "export_date": "2025-01-20",
                "hs_code": "84669390",
                "goods_name": "机床零件",
                "fob_cny": "350000.00",
                "destination": "DE",
            },
        ],
        "invoices": [
            {
                "invoice_no": "25612000000000000001",
                "invoice_type": "special",
                "issued_at": "2025-01-15T10:30:00",
                "seller_id": ACME,
                "buyer_id": BETA,
                "buyer_name": "宝鸡市金台区贝塔商贸有限公司",
                "amount": "10000.00",
                "tax": "1300.00",
                "status": "partly_red",
                "red_of": "",
                "deduction_confirmed_on": "2025-02-10",
            },
            {
                "invoice_no": "25612000000000000002",
                "invoice_type": "special",
                "issued_at": "2025-01-20 09:00:00+08:00",
                "seller_id": ACME,
                "buyer_id": BETA,
                "buyer_name": "宝鸡市金台区贝塔商贸有限公司",
                "amount": "-100.00",
                "tax": "-13.00",
                "status": "normal",
                "red_of": "25612000000000000001",
                "deduction_confirmed_on": "",
            },
            {
                "invoice_no": "25612000000000000003",
                "invoice_type": "ordinary",
                "issued_at": "2025-02-03T14:00:00",
                "seller_id": ACME,
                "buyer_id": "",
                "buyer_name": "个人",
                "amount": "500.00",
                "tax": "65.00",
                "status": "normal",
                "red_of": "",
                "deduction_confirmed_on": "",
            },
            {
                "invoice_no": "25612000000000000004",
                "invoice_type": "special",
                "issued_at": "2025-02-05T08:00:00Z",
                "seller_id": OUTSIDE,
                "buyer_id": ACME,
                "buyer_name": "宝鸡市金台区艾克米机械有限公司",
                "amount": "2000.00",
                "tax": "260.00",
                "status": "normal",
                "red_of": "",
                "deduction_confirmed_on": "2025-02-28",
            },
            {
                "invoice_no": "25612000000000000005",
                "invoice_type": "ordinary",
                "issued_at": "2025-02-06T08:00:00",
                "seller_id": GAMMA,
                "buyer_id": ACME,
                "buyer_name": "宝鸡市金台区艾克米机械有限公司",
                "amount": "300.00",
                "tax": "18.00",
                "status": "normal",
                "red_of": "",
                "deduction_confirmed_on": "",
            },
        ],
        "invoice_lines": [
            {
                "invoice_no": "25612000000000000001",
                "line_no": "1",
                "goods_code": "1090101010000000000",
                "item_name": "*机械设备*车床",
                "unit": "台",
                "quantity": "2",
                "unit_price": "4000",
                "amount": "8000.00",
                "tax_rate": "0.13",
                "tax": "1040.00",
            },
            {
                "invoice_no": "25612000000000000001",
                "line_no": "2",
                "goods_code": "1090101010000000000",
                "item_name": "*机械设备*刀具",
                "unit": "套",
                "quantity": "4",
                "unit_price": "500",
                "amount": "2000.00",
                "tax_rate": "0.13",
                "tax": "260.00",
            },
            {
                "invoice_no": "25612000000000000002",
                "line_no": "1",
                "goods_code": "1090101010000000000",
                "item_name": "*机械设备*刀具",
                "unit": "套",
                "quantity": "-0.2",
                "unit_price": "500",
                "amount": "-100.00",
                "tax_rate": "0.13",
                "tax": "-13.00",
            },
            {
                "invoice_no": "25612000000000000003",
                "line_no": "1",
                "goods_code": "3040201000000000000",
                "item_name": "*维修服务*设备维修",
                "unit": "次",
                "quantity": "1",
                "unit_price": "500",
                "amount": "500.00",
                "tax_rate": "0.13",
                "tax": "65.00",
            },
            {
                "invoice_no": "25612000000000000004",
                "line_no": "1",
                "goods_code": "1080201000000000000",
                "item_name": "*钢材*钢板",
                "unit": "吨",
                "quantity": "0.5",
                "unit_price": "4000",
                "amount": "2000.00",
                "tax_rate": "0.13",
                "tax": "260.00",
            },
            {
                "invoice_no": "25612000000000000005",
                "line_no": "1",
                "goods_code": "3040203000000000000",
                "item_name": "*信息技术服务*软件维护",
                "unit": "",
                "quantity": "",
                "unit_price": "",
                "amount": "300.00",
                "tax_rate": "0.06",
                "tax": "18.00",
            },
        ],
        "returns": [
            {
                "taxpayer_id": ACME,
                "tax_type": "vat",
                "period": "2025-01",
                "declared_sales": "9900.00",
                "tax_payable": "1287.00",
                "tax_paid": "1287.00",
                "filed_at": "2025-02-12T10:00:00",
                "paid_at": "2025-02-12T10:05:00",
            },
            {
                "taxpayer_id": ACME,
                "tax_type": "vat",
                "period": "2025-02",
                "declared_sales": "",
                "tax_payable": "",
                "tax_paid": "",
                "filed_at": "",
                "paid_at": "",
            },
            {
                "taxpayer_id": ACME,
                "tax_type": "cit",
                "period": "2024",
                "declared_sales": "5200000.00",
                "tax_payable": "130000.00",
                "tax_paid": "100000.00",
                "filed_at": "2025-05-20T16:00:00",
                "paid_at": "",
            },
            {
                "taxpayer_id": SOLE,
                "tax_type": "iit_business",
                "period": "2025-Q1",
                "declared_sales": "60000.00",
                "tax_payable": "300.00",
                "tax_paid": "300.00",
                "filed_at": "2025-04-10T09:00:00",
                "paid_at": "",
            },
        ],
    }


def write_csv(
    directory: Path,
    feed: str,
    records: list[dict],
    *,
    encoding: str = "utf-8",
    chinese: bool = False,
    columns: list[str] | None = None,
) -> Path:
    spec = FEEDS[feed]
    names = columns or [c.name for c in spec.columns]
    labels = {c.name: c.label_zh for c in spec.columns}
    path = directory / f"{feed}.csv"
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([labels.get(n, n) if chinese else n for n in names])
        for r in records:
            writer.writerow([r.get(n, "") for n in names])
    return path


def write_all(directory: Path, data: dict[str, list[dict]] | None = None, *, manifest: bool = True) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    data = data if data is not None else rows()
    entries = {}
    for feed, records in data.items():
        path = write_csv(directory, feed, records)
        entries[feed] = {"rows": len(records), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    if manifest:
        (directory / "manifest.json").write_text(
            json.dumps(
                {
                    "source": "测试部门",
                    "extracted_at": "2025-03-01T00:00:00+08:00",
                    "period": "2025-02",
                    "feeds": entries,
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
    return directory
