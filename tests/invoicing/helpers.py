"""Test data for the invoicing tests: valid identifiers, parties, invoice requests."""

from __future__ import annotations

from zhishui.core.identifiers import uscc_check_char
from zhishui.invoicing.parties import Party


def uscc(n: int, region: str = "610303") -> str:
    body = f"91{region}{n:09d}"
    return body + uscc_check_char(body)


SELLER = uscc(1)
BUYER = uscc(2)
OTHER = uscc(3)
SMALL = uscc(4)
ABNORMAL = uscc(5)
GONE = uscc(6)
OUTSIDE = uscc(7, region="110105")  # registered in Beijing: a counterparty outside the district

PARTIES = {
    SELLER: Party(SELLER, "宝鸡金台精密机械有限公司", "normal", "general", "C3311", "610303001"),
    BUYER: Party(BUYER, "宝鸡渭滨商贸有限公司", "normal", "general", "F5191", "610303002"),
    OTHER: Party(OTHER, "金台区第三方服务有限公司", "normal", "general", "L7212", "610303003"),
    SMALL: Party(SMALL, "金台小吃店", "normal", "small_scale", "H6210", "610303004"),
    ABNORMAL: Party(ABNORMAL, "走逃空壳有限公司", "abnormal", "general", "F5191", "610303005"),
    GONE: Party(GONE, "已注销有限公司", "deregistered", "general", "F5191", "610303005"),
}

SOFTWARE = "3040201010000000000"  # *信息技术服务*软件开发服务, 6 %
CATERING = "3070401000000000000"  # *餐饮服务*, 6 %
STEEL = "1990230100000000000"  # illustrative goods code *钢材*螺纹钢, 13 %


def invoice_request(kind: str = "special", buyer: str = BUYER, lines: list | None = None, **extra) -> dict:
    data = {
        "kind": kind,
        "buyer": {"id": buyer, "name": "宝鸡渭滨商贸有限公司"},
        "lines": lines or [
            {"goods_code": SOFTWARE, "name": "软件开发服务", "unit": "项", "quantity": "2", "unit_price": "500",
             "amount": "1000.00", "tax_rate": "0.06"},
        ],
        "remark": "合同号 HT-2026-001",
    }
    data.update(extra)
    return data
