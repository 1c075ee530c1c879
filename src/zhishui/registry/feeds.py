"""The feeds of the data-exchange contract (/work/shared/EXCHANGE.md, version 1) as data.

Each ``Feed`` lists its columns in the contract's order with the canonical name, the Chinese
label (accepted as a header alias), the type, whether the column must be present in a file
(``required``) and whether a value may be empty (``nullable``). The importer, the exporter and
the pages all read this one table, so the contract lives in one place.

Types (EXCHANGE "Rules that hold for every feed"): ``text``, ``enum``, ``date``, ``datetime``,
``month``, ``money``, ``decimal``, ``rate``, ``integer``, ``bool``, ``uscc``, ``id_number``,
``taxpayer_id``, ``period``, ``invoice_no``, ``phone``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    label_zh: str
    kind: str
    required: bool = True  # the column must be in the file (its values may still be empty if nullable)
    nullable: bool = False
    key: bool = False
    choices: tuple[tuple[str, str, str], ...] = ()  # (code, 中文, English) for enums
    max_length: int = 200
    target: str = ""  # model field (FK name, or the prefix of the encrypted columns)
    non_negative: bool = False

    @property
    def field(self) -> str:
        return self.target or self.name

    @property
    def personal(self) -> bool:
        return self.kind in ("id_number", "phone")

    @property
    def is_text(self) -> bool:
        """Free text: the only columns where formula neutralisation applies (see exporter)."""
        return self.kind in ("text", "phone")


@dataclass(frozen=True)
class Feed:
    name: str
    label_zh: str
    label_en: str
    department: str  # the providing department when the manifest names none
    model: str
    columns: tuple[Column, ...]
    subject: str = ""  # the column naming the taxpayer a row is about (profile timeline)
    depends_on: tuple[str, ...] = field(default=())

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def aliases(self) -> dict[str, str]:
        """Header text → canonical column name: the canonical names and the Chinese labels."""
        out = {}
        for c in self.columns:
            out[c.name] = c.name
            out[c.label_zh] = c.name
        return out


ENTITY_TYPES = (("enterprise", "企业", "enterprise"), ("individual_business", "个体工商户", "individual business"),
                ("other", "其他组织", "other organisation"))
ENTITY_STATUS = (("active", "存续", "active"), ("deregistered", "注销", "deregistered"),
                 ("revoked", "吊销", "revoked"))
TAXPAYER_KINDS = (("enterprise", "企业", "enterprise"), ("individual_business", "个体工商户", "individual business"),
                  ("natural_person", "自然人", "natural person"), ("other", "其他", "other"))
VAT_STATUS = (("general", "一般纳税人", "general taxpayer"), ("small_scale", "小规模纳税人", "small-scale taxpayer"),
              ("none", "非增值税纳税人", "not a VAT taxpayer"))
TAX_STATE = (("normal", "正常", "normal"), ("abnormal", "非正常", "abnormal"),
             ("deregistered", "注销", "deregistered"))
URBAN_CLASS = (("city", "市区", "city"), ("county_town", "县城/镇", "county town"), ("other", "其他", "other"))
RELATION_ROLES = (("legal_rep", "法定代表人", "legal representative"), ("shareholder", "股东", "shareholder"),
                  ("finance", "财务负责人", "finance officer"), ("tax_agent", "办税人员", "tax agent"),
                  ("employee", "雇员", "employee"))
PROPERTY_TYPES = (("residential", "住宅", "residential"), ("commercial", "商业", "commercial"),
                  ("industrial", "工业", "industrial"), ("land", "土地使用权", "land use right"))
INVOICE_TYPES = (("special", "增值税专用发票", "special VAT invoice"), ("ordinary", "普通发票", "ordinary invoice"))
INVOICE_STATUS = (("normal", "正常", "normal"), ("red_reversed", "已全额红冲", "fully reversed"),
                  ("partly_red", "部分红冲", "partly reversed"))
TAX_TYPES = (("vat", "增值税", "VAT"), ("cit", "企业所得税", "corporate income tax"),
             ("iit_business", "个人所得税（经营所得）", "IIT on business income"),
             ("property_behaviour", "财产和行为税", "property and behaviour taxes"),
             ("surcharges", "附加税费", "surcharges"), ("social_insurance", "社会保险费", "social insurance"))

C = Column

FEEDS: dict[str, Feed] = {f.name: f for f in [
    Feed("market_entities", "市场主体登记", "Market entity registrations", "区市场监管局", "MarketEntity", (
        C("uscc", "统一社会信用代码", "uscc", key=True, target="taxpayer"),
        C("name", "名称", "text"),
        C("entity_type", "主体类型", "enum", choices=ENTITY_TYPES),
        C("established_on", "成立日期", "date"),
        C("status", "登记状态", "enum", choices=ENTITY_STATUS),
        C("deregistered_on", "注销日期", "date", required=False, nullable=True),
        C("registered_capital", "注册资本", "money", nullable=True, non_negative=True),
        C("industry_code", "行业代码", "text", nullable=True, max_length=5),
        C("region_code", "所在街道/镇", "text", nullable=True, max_length=9),
        C("address", "住所", "text", nullable=True, max_length=300),
        C("legal_rep_id", "法定代表人身份证号", "id_number", nullable=True, target="legal_rep"),
        C("phone", "联系电话", "phone", required=False, nullable=True, max_length=30),
    ), subject="uscc"),
    Feed("tax_registrations", "税务登记", "Tax registrations", "区税务局", "TaxRegistration", (
        C("taxpayer_id", "纳税人识别号", "taxpayer_id", key=True, target="taxpayer"),
        C("name", "纳税人名称", "text"),
        C("taxpayer_kind", "纳税人类别", "enum", choices=TAXPAYER_KINDS),
        C("vat_status", "增值税纳税人类型", "enum", choices=VAT_STATUS),
        C("registered_on", "登记日期", "date"),
        C("tax_office", "主管税务机关", "text", nullable=True, max_length=100),
        C("officer_id", "税收管理员", "text", nullable=True, max_length=40),
        C("state", "纳税人状态", "enum", choices=TAX_STATE),
        C("urban_class", "城建税适用地区", "enum", nullable=True, choices=URBAN_CLASS),
    ), subject="taxpayer_id"),
    Feed("persons", "自然人基础信息", "Natural persons", "公安/人社", "Person", (
        C("id_number", "身份证号", "id_number", key=True, target="id"),
        C("name", "姓名", "text", max_length=100),
        C("region_code", "户籍/居住地", "text", nullable=True, max_length=9),
        C("phone", "手机号", "phone", required=False, nullable=True, max_length=30),
    )),
    Feed("relations", "人员与主体关系", "Person–entity relations", "市场监管局/税务局", "Relation", (
        C("person_id", "身份证号", "id_number", key=True, target="person"),
        C("entity_id", "主体识别号", "taxpayer_id", key=True, target="entity"),
        C("role", "身份", "enum", key=True, choices=RELATION_ROLES),
        C("share_ratio", "持股比例", "rate", required=False, nullable=True),
        C("start_on", "起始日期", "date", key=True),
        C("end_on", "终止日期", "date", required=False, nullable=True),
    ), subject="entity_id", depends_on=("persons",)),
    Feed("social_insurance", "社会保险费缴纳", "Social insurance contributions", "人社/医保/税务", "SocialInsurance", (
        C("entity_id", "缴费单位识别号", "taxpayer_id", key=True, target="entity"),
        C("month", "费款所属期", "month", key=True),
        C("insured_count", "参保人数", "integer", non_negative=True),
        C("wage_base", "缴费基数合计", "money", non_negative=True),
        C("contribution", "实缴金额", "money", non_negative=True),
    ), subject="entity_id"),
    Feed("utilities", "用电用水", "Electricity and water use", "供电/供水", "UtilityUse", (
        C("entity_id", "用户主体识别号", "taxpayer_id", key=True, target="entity"),
        C("month", "所属期", "month", key=True),
        C("electricity_kwh", "用电量(千瓦时)", "decimal", nullable=True, non_negative=True),
        C("water_m3", "用水量(立方米)", "decimal", nullable=True, non_negative=True),
    ), subject="entity_id"),
    Feed("real_estate", "不动产交易与登记", "Real estate transactions", "住建/自然资源", "RealEstateTransaction", (
        C("transaction_id", "网签合同号", "text", key=True, max_length=64),
        C("property_id", "不动产单元号", "text", max_length=64),
        C("seller_id", "出卖方", "taxpayer_id", target="seller"),
        C("buyer_id", "买受方", "taxpayer_id", target="buyer"),
        C("property_type", "房屋类型", "enum", choices=PROPERTY_TYPES),
        C("area_m2", "面积", "decimal", non_negative=True),
        C("contract_price", "合同价格(不含增值税)", "money", non_negative=True),
        C("signed_on", "网签日期", "date"),
        C("registered_on", "登记日期", "date", required=False, nullable=True),
        C("buyer_first_home", "买方家庭唯一住房", "bool", required=False, nullable=True),
    ), subject="seller_id"),
    Feed("property_holdings", "房产土地持有", "Property and land holdings", "自然资源/税务", "PropertyHolding", (
        C("property_id", "不动产单元号", "text", key=True, max_length=64),
        C("owner_id", "权利人", "taxpayer_id", target="owner"),
        C("property_type", "类型", "enum", choices=PROPERTY_TYPES),
        C("land_area_m2", "占地面积", "decimal", nullable=True, non_negative=True),
        C("land_grade", "土地等级", "integer", nullable=True, non_negative=True),
        C("original_value", "房产原值", "money", nullable=True, non_negative=True),
        C("annual_rent", "年租金收入", "money", required=False, nullable=True, non_negative=True),
        C("acquired_on", "取得日期", "date"),
    ), subject="owner_id"),
    Feed("customs_exports", "出口报关", "Customs export declarations", "海关", "CustomsExport", (
        C("declaration_no", "报关单号", "text", key=True, max_length=18),
        C("exporter_id", "经营单位", "uscc", target="exporter"),
        C("export_date", "出口日期", "date"),
        C("hs_code", "商品编码", "text", max_length=10),
        C("goods_name", "商品名称", "text"),
        C("fob_cny", "离岸价(人民币)", "money", non_negative=True),
        C("destination", "目的国(地区)", "text", max_length=2),
    ), subject="exporter_id"),
    Feed("invoices", "发票", "Invoices (historical)", "税务局（历史发票）", "ImportedInvoice", (
        C("invoice_no", "发票号码", "invoice_no", key=True),
        C("invoice_type", "票种", "enum", choices=INVOICE_TYPES),
        C("issued_at", "开票日期", "datetime"),
        C("seller_id", "销售方识别号", "taxpayer_id", target="seller"),
        C("buyer_id", "购买方识别号", "taxpayer_id", nullable=True, target="buyer"),
        C("buyer_name", "购买方名称", "text", nullable=True),
        C("amount", "合计金额(不含税)", "money"),
        C("tax", "合计税额", "money"),
        C("status", "状态", "enum", choices=INVOICE_STATUS),
        C("red_of", "对应蓝字发票号码", "invoice_no", required=False, nullable=True),
        C("deduction_confirmed_on", "用途确认日期", "date", required=False, nullable=True),
    ), subject="seller_id"),
    Feed("invoice_lines", "发票明细", "Invoice lines (historical)", "税务局（历史发票）", "ImportedInvoiceLine", (
        C("invoice_no", "发票号码", "invoice_no", key=True, target="invoice"),
        C("line_no", "行号", "integer", key=True),
        C("goods_code", "税收分类编码", "text", max_length=19),
        C("item_name", "项目名称", "text", max_length=300),
        C("unit", "单位", "text", nullable=True, max_length=20),
        C("quantity", "数量", "decimal", nullable=True),
        C("unit_price", "单价(不含税)", "decimal", nullable=True),
        C("amount", "金额(不含税)", "money"),
        C("tax_rate", "税率/征收率", "rate"),
        C("tax", "税额", "money"),
    ), depends_on=("invoices",)),
    Feed("returns", "申报记录", "Tax returns (historical)", "税务局（历史申报）", "TaxReturn", (
        C("taxpayer_id", "纳税人识别号", "taxpayer_id", key=True, target="taxpayer"),
        C("tax_type", "税种", "enum", key=True, choices=TAX_TYPES),
        C("period", "所属期", "period", key=True),
        C("declared_sales", "申报销售额/收入", "money", nullable=True),
        C("tax_payable", "应纳税额", "money", nullable=True),
        C("tax_paid", "已缴税额", "money", nullable=True),
        C("filed_at", "申报时间", "datetime", key=True, nullable=True),
        C("paid_at", "缴款时间", "datetime", required=False, nullable=True),
    ), subject="taxpayer_id"),
]}

# Loading order: identities and registrations first, so later feeds find them.
ORDER = ("market_entities", "tax_registrations", "persons", "relations", "social_insurance", "utilities",
         "real_estate", "property_holdings", "customs_exports", "invoices", "invoice_lines", "returns")
assert set(ORDER) == set(FEEDS)

FORMATS = ("csv", "xlsx", "parquet")


def enum_label(feed: str, column: str, code: str, language: str = "zh-hans") -> str:
    """Display label of an enum code in the current language (the code itself when unknown)."""
    for value, zh, en in FEEDS[feed].column(column).choices:
        if value == code:
            return en if language.startswith("en") else zh
    return code or ""
