"""The industries of the synthetic district (GB/T 4754-2017 classes), their goods and supply chains.

Industry codes are real GB/T 4754-2017 小类 codes written with the section letter (``C3421`` 金属
切削机床制造). Each industry lists its upstream industries (what it buys, with weights), the goods
it sells to businesses and to consumers, and the parameters that shape its firms: size, value
added, input share, consumer share, export propensity, electricity and water intensity, season.

Goods codes are 19-digit 税收分类编码. The leading digit (1 货物, 2 劳务, 3 销售服务, 5 不动产)
and the chapters named in docs/generator.md (101 农林牧渔产品, 103 食品, 109 机械设备, 110 电力
水, 301 交通运输服务, 304 现代服务, 305 建筑服务, 307 生活服务, 3070401 餐饮服务, 3070402 住宿
服务, 1100101 电力) follow the 商品和服务税收分类编码表; the remaining digits are synthetic. VAT
rates follow 增值税法 art. 10 (13 % goods, processing and movable leasing; 9 % agricultural
products, feed, fertiliser, water, transport, construction, immovables; 6 % other services).
HS codes for exports have real 4-6 digit headings; the national sub-heading digits are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np


@dataclass(frozen=True)
class Goods:
    key: str
    code: str          # 19-digit 税收分类编码
    short: str         # 简称, printed as *简称*名称
    name: str
    unit: str
    price: float       # typical unit price, yuan excl. VAT
    rate: int          # VAT rate in percent for a general taxpayer
    exempt: str = ""   # "producer": exempt when sold by its farm producer; "always": exempt in circulation
    hs: str = ""       # HS code when exported

    @property
    def item_name(self) -> str:
        return f"*{self.short}*{self.name}"


def _g(key, code, short, name, unit, price, rate, exempt="", hs=""):
    assert len(code) == 19 and code.isdigit(), code
    return Goods(key, code, short, name, unit, price, rate, exempt, hs)


GOODS: tuple[Goods, ...] = (
    # 1 01 农、林、牧、渔业类产品
    _g("wheat", "1010101020000000000", "谷物", "小麦", "吨", 2700, 9, "producer"),
    _g("vegetables", "1010112010000000000", "蔬菜", "新鲜蔬菜", "千克", 4, 9, "always"),
    _g("apples", "1010115010100000000", "水果", "苹果", "千克", 6, 9, "producer", "0808100000"),
    _g("pigs", "1010301010000000000", "牲畜", "生猪", "头", 2000, 9, "producer"),
    _g("eggs", "1010305010000000000", "禽蛋", "鲜鸡蛋", "千克", 10, 9, "producer"),
    _g("timber", "1010201010000000000", "林业产品", "原木", "立方米", 1100, 9, "producer"),
    # 1 02 矿产品 (chapter synthetic)
    _g("limestone", "1020101010000000000", "非金属矿", "石灰石", "吨", 65, 13),
    _g("sand", "1020102010000000000", "非金属矿", "建筑用砂石", "吨", 75, 13),
    _g("coal", "1020201010000000000", "煤炭", "动力煤", "吨", 850, 13),
    _g("fuel", "1020301010000000000", "成品油", "92号汽油", "升", 7.6, 13),
    _g("diesel", "1020302010000000000", "成品油", "柴油", "升", 7.0, 13),
    # 1 03 食品、饮料、酒
    _g("flour", "1030101010000000000", "粮食加工品", "小麦粉", "吨", 3800, 9),
    _g("feed", "1030103010000000000", "饲料", "配合饲料", "吨", 3600, 9),
    _g("oil", "1030104010000000000", "食用植物油", "菜籽油", "桶", 120, 9),
    _g("noodles", "1030105010000000000", "方便食品", "挂面", "箱", 65, 13, hs="1902190000"),
    _g("pork", "1030107010100000000", "肉类", "鲜猪肉", "千克", 26, 9),
    _g("snacks", "1030199010000000000", "食品", "休闲食品", "件", 18, 13),
    _g("drinks", "1030301010000000000", "饮料", "饮料", "箱", 48, 13),
    _g("liquor", "1030302010000000000", "酒", "白酒", "瓶", 150, 13, hs="2208902000"),
    # 1 04-1 08: chapters synthetic
    _g("fabric", "1040101010000000000", "纺织品", "面料", "米", 28, 13),
    _g("workwear", "1040201010000000000", "服装", "工作服", "套", 160, 13, hs="6203420090"),
    _g("clothes", "1040202010000000000", "服装", "服装", "件", 220, 13),
    _g("furniture", "1050101010000000000", "家具", "办公家具", "套", 1800, 13, hs="9403300000"),
    _g("cartons", "1050201010000000000", "纸制品", "瓦楞纸箱", "个", 4.5, 13),
    _g("printing", "1050301010000000000", "印刷品", "包装印刷品", "件", 2.5, 13),
    _g("resin", "1060101010000000000", "合成树脂", "聚乙烯", "吨", 8600, 13),
    _g("fertiliser", "1060201010000000000", "肥料", "复合肥", "吨", 2900, 9),
    _g("plastic_parts", "1060301010000000000", "塑料制品", "塑料件", "件", 9, 13),
    _g("medicine", "1060401010000000000", "药品", "药品", "盒", 32, 13),
    _g("daily_goods", "1060501010000000000", "日用品", "日用百货", "件", 25, 13),
    _g("cement", "1070101010000000000", "水泥", "普通硅酸盐水泥", "吨", 390, 13),
    _g("concrete", "1070102010000000000", "水泥制品", "商品混凝土", "立方米", 370, 13),
    _g("tiles", "1070201010000000000", "建筑陶瓷", "瓷砖", "平方米", 55, 13),
    _g("billet", "1080101010000000000", "钢坯", "钢坯", "吨", 3500, 13),
    _g("rebar", "1080201010000000000", "钢材", "热轧带肋钢筋", "吨", 3900, 13),
    _g("steel_plate", "1080202010000000000", "钢材", "热轧钢板", "吨", 4300, 13),
    _g("sponge_ti", "1080301010000000000", "有色金属", "海绵钛", "千克", 55, 13),
    _g("ti_plate", "1080302010000000000", "钛材", "钛板", "千克", 180, 13, hs="8108903000"),
    _g("ti_bar", "1080303010000000000", "钛材", "钛棒", "千克", 160, 13, hs="8108903000"),
    _g("copper", "1080401010000000000", "铜材", "铜杆", "吨", 68000, 13),
    _g("castings", "1080501010000000000", "铸件", "灰铸铁件", "吨", 9500, 13, hs="7325991000"),
    _g("steel_struct", "1080601010000000000", "金属结构件", "钢结构件", "吨", 7800, 13, hs="7308900000"),
    _g("hardware", "1080701010000000000", "五金制品", "五金工具", "件", 45, 13, hs="8205590000"),
    # 1 09 机械设备
    _g("lathe", "1090101010000000000", "金属切削机床", "数控车床", "台", 185000, 13, hs="8458110000"),
    _g("machining_center", "1090102010000000000", "金属切削机床", "立式加工中心", "台", 420000, 13,
       hs="8457101000"),
    _g("valve", "1090201010000000000", "阀门", "闸阀", "个", 1300, 13, hs="8481804090"),
    _g("reducer", "1090202010000000000", "减速机", "齿轮减速机", "台", 16000, 13, hs="8483409000"),
    _g("parts", "1090203010000000000", "机械零部件", "机械加工件", "件", 320, 13, hs="8487900000"),
    _g("drill_parts", "1090301010000000000", "石油钻采设备", "钻机配件", "套", 360000, 13, hs="8431431000"),
    _g("auto_parts", "1090401010000000000", "汽车零部件", "汽车零部件", "件", 480, 13, hs="8708999990"),
    _g("cars", "1090402010000000000", "汽车", "乘用车", "辆", 125000, 13),
    _g("rail_parts", "1090501010000000000", "铁路专用器材", "道岔配件", "件", 2800, 13, hs="8608009000"),
    _g("cable", "1090601010000000000", "电线电缆", "电力电缆", "米", 90, 13, hs="8544492100"),
    _g("machinery", "1090701010000000000", "通用设备", "机械设备", "台", 28000, 13, hs="8479899990"),
    _g("appliances", "1090418010000000000", "家用电器", "洗衣机", "台", 2600, 13),
    # 1 10 电力、水
    _g("power", "1100101000000000000", "供电", "电力", "千瓦时", 0.65, 13),
    _g("water", "1100301010000000000", "水", "自来水", "立方米", 3.8, 9),
    # 2 劳务
    _g("machining_fee", "2010101010000000000", "加工劳务", "机械加工费", "项", 8000, 13),
    _g("car_repair", "2020101010000000000", "修理修配劳务", "汽车维修费", "次", 900, 13),
    # 3 销售服务
    _g("trucking", "3010102020000000000", "运输服务", "道路货物运输服务", "次", 3500, 9),
    _g("software", "3040201010000000000", "信息技术服务", "软件开发服务", "项", 60000, 6),
    _g("integration", "3040203010000000000", "信息技术服务", "信息系统集成服务", "项", 90000, 6),
    _g("design", "3040105010000000000", "研发和技术服务", "工程设计服务", "项", 80000, 6),
    _g("advertising", "3040303010000000000", "文化创意服务", "广告服务", "项", 15000, 6),
    _g("express", "3040408010000000000", "物流辅助服务", "收派服务", "件", 12, 6),
    _g("equipment_lease", "3040501010000000000", "经营租赁", "设备租赁服务", "项", 12000, 13),
    _g("property_lease", "3040502010000000000", "经营租赁", "不动产经营租赁服务", "月", 15000, 9),
    _g("consulting", "3040603010000000000", "鉴证咨询服务", "咨询服务", "项", 30000, 6),
    _g("property_mgmt", "3040801010000000000", "企业管理服务", "物业管理服务", "月", 8000, 6),
    _g("supply_chain", "3040801020000000000", "企业管理服务", "供应链管理服务", "项", 20000, 6),
    _g("bookkeeping", "3040802010000000000", "经纪代理服务", "代理记账服务", "月", 500, 6),
    _g("labour", "3040803010000000000", "人力资源服务", "劳务派遣服务", "项", 50000, 6),
    _g("construction", "3050101010000000000", "建筑服务", "工程服务", "项", 200000, 9),
    _g("installation", "3050201010000000000", "建筑服务", "安装服务", "项", 60000, 9),
    _g("decoration", "3050401010000000000", "建筑服务", "装饰服务", "项", 40000, 9),
    _g("training", "3070201010000000000", "教育医疗服务", "职业技能培训", "人次", 2500, 6),
    _g("meals", "3070401000000000000", "餐饮服务", "餐饮服务", "次", 300, 6),
    _g("lodging", "3070402000000000000", "住宿服务", "住宿服务", "天", 280, 6),
    _g("haircut", "3070501010000000000", "居民日常服务", "美容美发服务", "次", 120, 6),
    _g("laundry", "3070502010000000000", "居民日常服务", "洗染服务", "次", 60, 6),
    # 5 不动产
    _g("housing", "5010101010000000000", "不动产", "商品住宅", "平方米", 7800, 9),
    _g("commercial_property", "5010102010000000000", "不动产", "商业用房", "平方米", 9000, 9),
    _g("industrial_property", "5010103010000000000", "不动产", "工业厂房", "平方米", 2600, 9),
)
GOODS_INDEX = {g.key: i for i, g in enumerate(GOODS)}

# Services every business buys a little of (weights relative to its own upstream list).
COMMON_UPSTREAM = (("G5431", 0.05), ("K7040", 0.03), ("K7020", 0.02), ("L7241", 0.01), ("I6513", 0.01),
                   ("H6210", 0.02), ("L7259", 0.01), ("F5174", 0.01), ("C2231", 0.01))

# Seasonal profiles, January to December (scaled to mean 1).
SEASONS = {
    "flat": (1,) * 12,
    "manufacturing": (0.85, 0.6, 1.0, 1.0, 1.0, 1.1, 1.0, 1.0, 1.1, 1.0, 1.1, 1.3),
    "construction": (0.3, 0.3, 0.9, 1.2, 1.3, 1.3, 1.1, 1.1, 1.3, 1.3, 1.2, 0.7),
    "retail": (1.3, 1.25, 0.9, 0.9, 1.0, 0.9, 0.9, 0.9, 1.0, 1.2, 1.05, 1.1),
    "catering": (1.2, 1.4, 0.9, 1.0, 1.1, 0.9, 1.0, 1.0, 0.9, 1.2, 0.8, 0.9),
    "liquor": (1.6, 1.0, 0.7, 0.7, 0.8, 0.8, 0.8, 1.0, 1.4, 1.2, 0.9, 1.3),
    "harvest_summer": (0.3, 0.3, 0.4, 0.5, 0.9, 3.0, 2.5, 0.8, 0.6, 0.6, 0.8, 0.5),
    "harvest_autumn": (0.5, 0.4, 0.3, 0.3, 0.3, 0.4, 0.6, 1.2, 2.5, 2.8, 2.0, 1.0),
    # the seasonal look-alike: nearly everything in three months
    "extreme": (0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 3.4, 4.0, 3.4, 0.05),
}


@dataclass(frozen=True)
class Industry:
    code: str
    name: str
    ent: float = 0.0         # weight among enterprises
    ib: float = 0.0          # weight among individual businesses
    oth: float = 0.0         # weight among cooperatives / other organisations
    urban: float = 0.8       # probability of sitting in a 街道 rather than a 镇
    rev_ent: float = 3e6     # typical annual sales of an enterprise (yuan, before calibration)
    rev_ib: float = 3e5
    va: float = 0.4          # value added / sales
    inputs: float = 0.5      # invoiced purchases / sales
    b2c: float = 0.05        # share of sales to consumers
    b2c_inv: float = 0.3     # share of consumer sales that are invoiced
    local: float = 1.0       # multiplier on the district's local B2B share
    export_p: float = 0.0    # probability an enterprise exports
    export_share: float = 0.4
    t_b2b: float = 20_000    # typical B2B invoice (yuan excl. VAT, before calibration)
    t_b2c: float = 200
    prod: float = 300_000    # sales per employee per year
    kwh: float = 50          # kWh per 10,000 yuan of sales
    water: float = 3         # m³ per 10,000 yuan of sales
    season: str = "flat"
    margin: float = 0.05     # profit / sales
    wage: float = 5_500      # monthly social-insurance wage base per employee (yuan)
    upstream: tuple[tuple[str, float], ...] = ()
    goods: tuple[tuple[str, float], ...] = ()    # sold to businesses
    goods_c: tuple[tuple[str, float], ...] = ()  # sold to consumers
    words: tuple[str, ...] = ()                  # name words for companies
    ib_words: tuple[str, ...] = ()               # name words for individual businesses
    external: bool = False                       # only outside the district

    @property
    def section(self) -> str:
        return self.code[0]

    @property
    def sector(self) -> int:
        """一产 1 (A), 二产 2 (B-E), 三产 3 (the rest)."""
        return 1 if self.section == "A" else 2 if self.section in "BCDE" else 3


_SECTION_DEFAULTS = {
    "A": dict(urban=0.05, rev_ent=2e6, rev_ib=2.5e5, va=0.55, inputs=0.35, b2c=0.12, b2c_inv=0.05,
              t_b2b=15_000, t_b2c=300, prod=150_000, kwh=60, water=40, margin=0.08, local=1.5, wage=4_200),
    "B": dict(urban=0.1, va=0.45, inputs=0.4, t_b2b=30_000, prod=500_000, kwh=300, water=10),
    "C": dict(urban=0.35, rev_ent=8e6, rev_ib=4e5, va=0.24, inputs=0.68, b2c=0.02, b2c_inv=0.3,
              t_b2b=40_000, t_b2c=800, prod=600_000, kwh=600, water=8, season="manufacturing",
              margin=0.06, wage=5_800),
    "D": dict(urban=0.5, va=0.3, inputs=0.7, t_b2b=5_000, kwh=100, water=5),
    "E": dict(urban=0.6, rev_ent=1e7, rev_ib=5e5, va=0.28, inputs=0.65, b2c=0.05, t_b2b=150_000,
              t_b2c=20_000, prod=400_000, kwh=40, water=5, season="construction", margin=0.05,
              wage=5_200),
    "F": dict(urban=0.65, rev_ent=1.2e7, rev_ib=6e5, va=0.09, inputs=0.9, b2c=0.05, b2c_inv=0.15,
              t_b2b=45_000, t_b2c=600, prod=3_000_000, kwh=15, water=1, margin=0.02, local=1.2),
    "G": dict(urban=0.5, rev_ent=5e6, rev_ib=2.5e5, va=0.35, inputs=0.5, b2c=0.05, t_b2b=4_000,
              prod=300_000, kwh=10, water=1, margin=0.05, local=1.3, wage=5_000),
    "H": dict(urban=0.85, rev_ent=3e6, rev_ib=3.5e5, va=0.38, inputs=0.5, b2c=0.85, b2c_inv=0.06,
              t_b2b=2_500, t_b2c=220, prod=150_000, kwh=130, water=25, season="catering", margin=0.06,
              local=1.5, wage=4_300),
    "I": dict(urban=0.97, rev_ent=3e6, rev_ib=2e5, va=0.55, inputs=0.3, b2c=0.02, t_b2b=30_000,
              prod=400_000, kwh=20, water=2, margin=0.1, wage=7_500),
    "K": dict(urban=0.85, rev_ent=3e6, rev_ib=2e5, va=0.5, inputs=0.4, b2c=0.1, t_b2b=15_000,
              prod=500_000, kwh=20, water=3, margin=0.12),
    "L": dict(urban=0.9, rev_ent=3e6, rev_ib=2e5, va=0.5, inputs=0.35, b2c=0.05, t_b2b=12_000,
              prod=300_000, kwh=20, water=2, margin=0.08, local=1.3, wage=5_500),
    "M": dict(urban=0.9, rev_ent=3e6, va=0.55, inputs=0.3, t_b2b=40_000, prod=350_000, kwh=20, water=2,
              margin=0.1, wage=7_000),
    "O": dict(urban=0.85, rev_ent=1.5e6, rev_ib=1.5e5, va=0.5, inputs=0.35, b2c=0.9, b2c_inv=0.05,
              t_b2b=2_000, t_b2c=100, prod=120_000, kwh=90, water=30, margin=0.1, local=1.5,
              wage=4_200),
    "P": dict(urban=0.9, rev_ent=2e6, rev_ib=2e5, va=0.6, inputs=0.25, b2c=0.8, b2c_inv=0.2,
              t_b2b=20_000, t_b2c=2_000, prod=200_000, kwh=40, water=5, margin=0.1, wage=5_000),
}
_SECTION_DEFAULTS["F52"] = dict(urban=0.85, rev_ent=4e6, rev_ib=3e5, va=0.18, inputs=0.8, b2c=0.9,
                                b2c_inv=0.035, t_b2b=3_000, t_b2c=120, prod=600_000, kwh=60, water=3,
                                season="retail", margin=0.03, local=1.2, wage=4_200)


def _i(code: str, name: str, **kw) -> Industry:
    base = dict(_SECTION_DEFAULTS.get(code[:3], _SECTION_DEFAULTS.get(code[0], {})))
    base.update(kw)
    for key in ("upstream", "goods", "goods_c"):
        if key in base:
            base[key] = tuple(base[key])
    return Industry(code, name, **base)


I = _i  # noqa: E741 - reads like a table
INDUSTRIES: tuple[Industry, ...] = (
    # --- A 农、林、牧、渔业 ---------------------------------------------------------------------
    I("A0112", "小麦种植", ent=3, ib=20, oth=30, season="harvest_summer", upstream=[("F5166", 1)],
      goods=[("wheat", 1)], goods_c=[("wheat", 1)], words=("农业", "种植"), ib_words=("家庭农场",)),
    I("A0141", "蔬菜种植", ent=3, ib=60, oth=30, upstream=[("F5166", 1)], goods=[("vegetables", 1)],
      goods_c=[("vegetables", 1)], words=("蔬菜种植", "农业"), ib_words=("蔬菜种植园", "家庭农场")),
    I("A0151", "仁果类和核果类水果种植", ent=3, ib=50, oth=40, season="harvest_autumn",
      upstream=[("F5166", 1)], goods=[("apples", 1)], goods_c=[("apples", 1)], words=("果业", "果品"),
      ib_words=("果园",)),
    I("A0313", "猪的饲养", ent=3, ib=40, oth=20, upstream=[("C1329", 1)], goods=[("pigs", 1)],
      words=("养殖", "生猪养殖"), ib_words=("养殖场",)),
    I("A0321", "鸡的饲养", ent=2, ib=30, oth=15, upstream=[("C1329", 1)], goods=[("eggs", 1)],
      goods_c=[("eggs", 1)], words=("禽业", "蛋鸡养殖"), ib_words=("养鸡场",)),
    # --- C 制造业: food ---------------------------------------------------------------------------
    I("C1312", "小麦加工", ent=4, upstream=[("A0112", 3), ("F5111", 3)], goods=[("flour", 1)],
      t_b2b=30_000, kwh=250, words=("面粉", "粮油")),
    I("C1329", "其他饲料加工", ent=3, upstream=[("A0112", 1), ("C1312", 1), ("F5111", 2)],
      goods=[("feed", 1)], kwh=200, words=("饲料",)),
    I("C1351", "牲畜屠宰", ent=4, upstream=[("A0313", 4), ("A0321", 1)], goods=[("pork", 1)],
      goods_c=[("pork", 1)], b2c=0.1, t_b2b=20_000, kwh=300, water=40, words=("肉类食品", "食品")),
    I("C1431", "米、面制品制造", ent=8, ib=30, upstream=[("C1312", 4), ("C2231", 1), ("C2319", 0.5)],
      goods=[("noodles", 1)], goods_c=[("noodles", 1)], b2c=0.08, export_p=0.05, t_b2b=12_000,
      kwh=250, water=15, words=("食品", "面业"), ib_words=("面坊", "挂面加工坊")),
    I("C1512", "白酒制造", ent=3, upstream=[("A0112", 2), ("F5111", 2), ("C2231", 1), ("C2319", 1)],
      goods=[("liquor", 1)], goods_c=[("liquor", 1)], va=0.45, b2c=0.1, export_p=0.03, season="liquor",
      t_b2b=25_000, kwh=200, water=30, margin=0.15, words=("酒业", "酿酒")),
    I("C1819", "其他机织服装制造", ent=4, ib=10, upstream=[("F5131", 1)], goods=[("workwear", 1)],
      export_p=0.2, t_b2b=15_000, prod=200_000, kwh=150, words=("服饰", "制衣"), ib_words=("服装加工部",)),
    I("C2110", "木质家具制造", ent=5, ib=15, upstream=[("A0241", 2), ("C3130", 1), ("F5174", 0.5)],
      goods=[("furniture", 1)], goods_c=[("furniture", 1)], b2c=0.15, export_p=0.08, t_b2b=18_000,
      kwh=200, words=("家具",), ib_words=("家具厂",)),
    I("C2231", "纸和纸板容器制造", ent=5, upstream=[("C2651", 0.3), ("F5169", 1)], goods=[("cartons", 1)],
      t_b2b=10_000, kwh=300, words=("包装", "纸业")),
    I("C2319", "包装装潢及其他印刷", ent=6, ib=8, upstream=[("C2231", 1), ("F5169", 1)],
      goods=[("printing", 1)], t_b2b=6_000, kwh=200, words=("印务", "包装印刷"), ib_words=("印刷部",)),
    I("C2929", "塑料零件及其他塑料制品制造", ent=5, upstream=[("C2651", 3), ("F5169", 1)],
      goods=[("plastic_parts", 1)], t_b2b=15_000, kwh=700, words=("塑业", "塑料制品")),
    # --- C: materials ----------------------------------------------------------------------------
    I("C3011", "水泥制造", ent=1, upstream=[("B1011", 3), ("F5161", 3), ("B1019", 1)], goods=[("cement", 1)],
      rev_ent=8e7, va=0.3, t_b2b=60_000, kwh=1200, water=10, words=("水泥",)),
    I("C3021", "水泥制品制造", ent=6, upstream=[("C3011", 4), ("B1019", 3), ("F5165", 1)],
      goods=[("concrete", 1)], season="construction", t_b2b=40_000, kwh=150, water=20,
      words=("建材", "混凝土")),
    I("C3130", "钢压延加工", ent=4, upstream=[("C3120", 5), ("F5164", 2)], goods=[("rebar", 1),
      ("steel_plate", 1)], rev_ent=3e7, va=0.15, inputs=0.8, t_b2b=80_000, kwh=900, words=("钢铁", "金属材料")),
    I("C3254", "稀有稀土金属压延加工", ent=6, upstream=[("C3239", 5), ("F5164", 1)],
      goods=[("ti_plate", 1), ("ti_bar", 1)], rev_ent=2e7, va=0.25, export_p=0.35, t_b2b=90_000,
      kwh=1100, words=("钛业", "稀有金属", "钛材")),
    I("C3311", "金属结构制造", ent=10, upstream=[("C3130", 4), ("F5164", 3), ("C3391", 0.5)],
      goods=[("steel_struct", 1)], export_p=0.05, t_b2b=60_000, kwh=350, words=("钢结构", "钢构")),
    I("C3391", "黑色金属铸造", ent=8, upstream=[("C3130", 2), ("F5164", 2), ("F5161", 1)],
      goods=[("castings", 1)], export_p=0.1, t_b2b=40_000, kwh=1000, words=("铸造", "铸业")),
    # --- C: machinery ----------------------------------------------------------------------------
    I("C3421", "金属切削机床制造", ent=8, upstream=[("C3391", 3), ("C3453", 2), ("C3484", 2), ("C3831", 1),
      ("C3130", 1), ("F5174", 0.5)], goods=[("lathe", 2), ("machining_center", 1)], rev_ent=2e7,
      va=0.28, export_p=0.25, t_b2b=180_000, kwh=300, margin=0.07, words=("机床", "数控机床")),
    I("C3443", "阀门和旋塞制造", ent=5, upstream=[("C3391", 3), ("C3484", 2), ("C3130", 1)],
      goods=[("valve", 1)], export_p=0.15, t_b2b=25_000, kwh=350, words=("阀门", "流体控制")),
    I("C3453", "齿轮及齿轮减、变速箱制造", ent=6, upstream=[("C3391", 3), ("C3130", 2), ("C3484", 1)],
      goods=[("reducer", 1)], export_p=0.1, t_b2b=35_000, kwh=400, words=("传动", "齿轮")),
    I("C3484", "机械零部件加工", ent=22, ib=20, upstream=[("C3130", 3), ("C3391", 2), ("F5164", 2)],
      goods=[("parts", 2), ("machining_fee", 1)], export_p=0.04, t_b2b=12_000, kwh=450,
      words=("机械", "机械加工", "精密机械"), ib_words=("机械加工部",)),
    I("C3512", "石油钻采专用设备制造", ent=6, upstream=[("C3391", 2), ("C3453", 2), ("C3443", 2),
      ("C3311", 1), ("C3484", 2), ("C3130", 1), ("C3254", 0.5)], goods=[("drill_parts", 1)], rev_ent=2.5e7,
      va=0.27, export_p=0.3, t_b2b=250_000, kwh=280, margin=0.07, words=("石油机械", "石油装备")),
    I("C3670", "汽车零部件及配件制造", ent=10, upstream=[("C3391", 2), ("C3130", 2), ("C2929", 1),
      ("C3484", 2)], goods=[("auto_parts", 1)], rev_ent=1.5e7, export_p=0.15, t_b2b=50_000, kwh=400,
      words=("汽车零部件", "汽车配件")),
    I("C3716", "铁路专用设备及器材、配件制造", ent=6, upstream=[("C3391", 3), ("C3130", 3), ("C3484", 1),
      ("C3311", 1)], goods=[("rail_parts", 1)], rev_ent=2e7, export_p=0.1, t_b2b=120_000, kwh=450,
      words=("铁路器材", "轨道交通设备")),
    I("C3831", "电线、电缆制造", ent=4, upstream=[("C3251", 5), ("C2929", 1), ("C2651", 1)],
      goods=[("cable", 1)], rev_ent=1.5e7, va=0.15, export_p=0.05, t_b2b=70_000, kwh=300,
      words=("电缆", "电线电缆")),
    # --- E 建筑业 ---------------------------------------------------------------------------------
    I("E4790", "其他房屋建筑业", ent=40, upstream=[("C3021", 3), ("C3011", 1), ("C3130", 2), ("F5165", 3),
      ("C3311", 1), ("L7113", 1), ("F5174", 0.5), ("L7263", 0.5)], goods=[("construction", 1)],
      words=("建筑工程", "建设")),
    I("E4813", "市政道路工程建筑", ent=15, upstream=[("C3021", 3), ("F5165", 2), ("C3130", 1), ("L7113", 2),
      ("B1019", 1)], goods=[("construction", 1)], rev_ent=1.5e7, words=("市政工程", "路桥工程")),
    I("E4910", "电气安装", ent=20, ib=20, upstream=[("C3831", 3), ("F5179", 1), ("F5174", 1)],
      goods=[("installation", 1)], goods_c=[("installation", 1)], b2c=0.15, t_b2b=40_000, t_b2c=3_000,
      words=("电力工程", "机电安装"), ib_words=("水电安装部",)),
    I("E5011", "公共建筑装饰和装修", ent=25, upstream=[("F5165", 3), ("C2110", 1), ("F5174", 1)],
      goods=[("decoration", 1)], t_b2b=50_000, words=("装饰工程", "建筑装饰")),
    I("E5012", "住宅装饰和装修", ent=20, ib=80, upstream=[("F5165", 3), ("F5174", 1), ("F5281", 1)],
      goods=[("decoration", 1)], goods_c=[("decoration", 1)], b2c=0.7, b2c_inv=0.25, t_b2b=20_000,
      t_b2c=15_000, rev_ent=3e6, words=("装饰", "家居装饰"), ib_words=("装饰部",)),
    # --- F51 批发业 -------------------------------------------------------------------------------
    I("F5121", "米、面制品及食用油批发", ent=30, ib=30, upstream=[("C1312", 3), ("C1431", 2), ("F5111", 1),
      ("F5129", 1)], goods=[("flour", 2), ("oil", 1), ("noodles", 1)], goods_c=[("oil", 1), ("flour", 1)],
      words=("粮油", "粮油贸易"), ib_words=("粮油批发部",)),
    I("F5123", "果品、蔬菜批发", ent=20, ib=40, upstream=[("A0151", 3), ("A0141", 3)],
      goods=[("apples", 1), ("vegetables", 1)], goods_c=[("apples", 1)], export_p=0.08,
      season="harvest_autumn", words=("果蔬", "农产品"), ib_words=("果蔬批发部",)),
    I("F5127", "酒、饮料及茶叶批发", ent=30, ib=30, upstream=[("C1512", 3), ("F5129", 2)],
      goods=[("liquor", 2), ("drinks", 1)], goods_c=[("liquor", 1)], season="liquor",
      words=("酒业", "商贸"), ib_words=("酒水批发部",)),
    I("F5164", "金属及金属矿批发", ent=40, upstream=[("C3130", 3), ("C3254", 1), ("C3120", 3)],
      goods=[("rebar", 2), ("steel_plate", 2), ("ti_plate", 0.5)], export_p=0.05,
      words=("金属材料", "物资", "钢材贸易")),
    I("F5165", "建材批发", ent=60, ib=40, upstream=[("C3011", 2), ("C3021", 1), ("C3130", 2), ("F5169", 1)],
      goods=[("cement", 1), ("rebar", 1), ("tiles", 1)], goods_c=[("tiles", 1)], b2c=0.1,
      season="construction", words=("建材", "建材贸易"), ib_words=("建材经销部",)),
    I("F5166", "化肥批发", ent=10, ib=25, upstream=[("C2624", 1)], goods=[("fertiliser", 1)],
      goods_c=[("fertiliser", 1)], b2c=0.5, b2c_inv=0.05, urban=0.2, words=("农资",),
      ib_words=("农资经销部",)),
    I("F5174", "五金产品批发", ent=40, ib=40, upstream=[("C3484", 1), ("F5169", 2)], goods=[("hardware", 1)],
      goods_c=[("hardware", 1)], export_p=0.04, words=("五金", "五金机电"), ib_words=("五金批发部",)),
    I("F5179", "其他机械设备及电子产品批发", ent=70, upstream=[("C3421", 1), ("C3443", 1), ("C3453", 1),
      ("C3831", 1), ("F5169", 2)], goods=[("machinery", 2), ("valve", 1), ("cable", 1)], export_p=0.06,
      words=("机电设备", "设备", "商贸")),
    # --- F52 零售业 -------------------------------------------------------------------------------
    I("F5212", "超级市场零售", ent=15, ib=40, upstream=[("F5121", 2), ("F5123", 1), ("F5127", 1),
      ("C1431", 1), ("C1351", 1), ("F5129", 2)], goods=[("snacks", 1)],
      goods_c=[("snacks", 3), ("oil", 1), ("drinks", 1), ("daily_goods", 2)], rev_ent=1e7,
      words=("超市", "商贸"), ib_words=("超市",)),
    I("F5219", "其他综合零售", ent=40, ib=500, upstream=[("F5121", 1), ("F5127", 1), ("F5129", 2)],
      goods=[("daily_goods", 1)], goods_c=[("daily_goods", 2), ("snacks", 2), ("drinks", 1)],
      words=("商贸", "百货"), ib_words=("便利店", "商店", "百货店")),
    I("F5223", "果品、蔬菜零售", ent=5, ib=150, upstream=[("F5123", 3), ("A0151", 1), ("A0141", 1)],
      goods=[("apples", 1)], goods_c=[("apples", 1), ("vegetables", 1)], words=("果蔬",),
      ib_words=("水果店", "蔬菜店")),
    I("F5224", "肉、禽、蛋、奶及水产品零售", ent=5, ib=120, upstream=[("C1351", 3), ("A0321", 1)],
      goods=[("pork", 1)], goods_c=[("pork", 2), ("eggs", 1)], words=("肉食",), ib_words=("鲜肉店", "肉铺")),
    I("F5232", "服装零售", ent=20, ib=180, upstream=[("C1819", 1), ("F5132", 3)], goods=[("clothes", 1)],
      goods_c=[("clothes", 1)], va=0.25, words=("服饰",), ib_words=("服装店",)),
    I("F5251", "西药零售", ent=15, ib=40, upstream=[("F5151", 1)], goods=[("medicine", 1)],
      goods_c=[("medicine", 1)], b2c_inv=0.1, words=("医药", "大药房"), ib_words=("药店",)),
    I("F5261", "汽车新车零售", ent=10, upstream=[("C3611", 1)], goods=[("cars", 1)], goods_c=[("cars", 1)],
      rev_ent=4e7, va=0.08, b2c=0.8, b2c_inv=1.0, t_b2c=110_000, words=("汽车销售",)),
    I("F5265", "机动车燃油零售", ent=8, upstream=[("F5162", 1)], goods=[("fuel", 1), ("diesel", 1)],
      goods_c=[("fuel", 1)], rev_ent=1.5e7, va=0.1, b2c=0.6, b2c_inv=0.1, t_b2b=2_000, t_b2c=300,
      words=("石油", "能源")),
    I("F5272", "日用家电零售", ent=15, ib=40, upstream=[("F5138", 1)], goods=[("appliances", 1)],
      goods_c=[("appliances", 1)], b2c_inv=0.25, t_b2c=2_500, words=("家电",), ib_words=("家电商行",)),
    I("F5281", "五金零售", ent=10, ib=80, upstream=[("F5174", 3)], goods=[("hardware", 1)],
      goods_c=[("hardware", 1)], b2c=0.6, words=("五金",), ib_words=("五金店",)),
    # --- G 交通运输 -------------------------------------------------------------------------------
    I("G5431", "普通货物道路运输", ent=60, ib=250, upstream=[("F5265", 3), ("O8111", 1), ("C3670", 1),
      ("F5162", 2)], goods=[("trucking", 1)], words=("物流", "运输", "货运"), ib_words=("货运部", "运输队")),
    I("G6020", "快递服务", ent=8, ib=10, upstream=[("G5431", 2), ("F5265", 1)], goods=[("express", 1)],
      goods_c=[("express", 1)], b2c=0.4, t_b2b=3_000, t_b2c=15, words=("快递", "速递"),
      ib_words=("快递服务部",)),
    # --- H 住宿和餐饮 -----------------------------------------------------------------------------
    I("H6110", "旅游饭店", ent=5, upstream=[("F5212", 1), ("F5121", 1), ("K7020", 1), ("F5224", 1)],
      goods=[("lodging", 2), ("meals", 1)], goods_c=[("lodging", 2), ("meals", 1)], rev_ent=1e7, b2c=0.6,
      b2c_inv=0.3, t_b2c=600, words=("酒店", "大酒店")),
    I("H6129", "其他一般旅馆", ent=8, ib=60, upstream=[("F5212", 1), ("K7020", 1)], goods=[("lodging", 1)],
      goods_c=[("lodging", 1)], b2c_inv=0.2, t_b2c=200, words=("宾馆", "酒店管理"), ib_words=("旅馆", "宾馆")),
    I("H6210", "正餐服务", ent=30, ib=180, upstream=[("F5121", 2), ("F5123", 1), ("F5224", 2), ("C1351", 1),
      ("F5127", 1), ("F5212", 1)], goods=[("meals", 1)], goods_c=[("meals", 1)], t_b2c=350,
      words=("餐饮", "餐饮管理"), ib_words=("饭店", "餐馆")),
    I("H6220", "快餐服务", ent=15, ib=150, upstream=[("F5121", 2), ("F5224", 1), ("F5123", 1)],
      goods=[("meals", 1)], goods_c=[("meals", 1)], t_b2c=60, words=("餐饮", "快餐"), ib_words=("快餐店",)),
    I("H6291", "小吃服务", ent=5, ib=250, upstream=[("F5121", 2), ("C1431", 2), ("F5224", 1)],
      goods=[("meals", 1)], goods_c=[("meals", 1)], t_b2c=40, words=("餐饮", "小吃"),
      ib_words=("小吃店", "面馆", "臊子面馆")),
    # --- I 信息技术 -------------------------------------------------------------------------------
    I("I6513", "应用软件开发", ent=60, ib=10, upstream=[("F5179", 1), ("L7263", 1)], goods=[("software", 1)],
      words=("软件", "信息技术", "网络科技"), ib_words=("电脑服务部",)),
    I("I6531", "信息系统集成服务", ent=40, upstream=[("F5179", 3), ("I6513", 1)], goods=[("integration", 1)],
      inputs=0.6, t_b2b=60_000, words=("信息技术", "智能科技")),
    # --- K 房地产 ---------------------------------------------------------------------------------
    I("K7010", "房地产开发经营", ent=25, upstream=[("E4790", 5), ("E4910", 1), ("E5011", 1), ("M7484", 1),
      ("C3021", 1), ("F5165", 1), ("L7259", 0.3)], goods=[("commercial_property", 1)], rev_ent=6e7,
      va=0.4, inputs=0.7, b2c=0.0, t_b2b=500_000, margin=0.12, words=("房地产开发", "置业")),
    I("K7020", "物业管理", ent=35, upstream=[("E4910", 1), ("L7263", 1)], goods=[("property_mgmt", 1)],
      t_b2b=8_000, words=("物业管理", "物业服务")),
    I("K7040", "房地产租赁经营", ent=30, ib=10, upstream=[("K7020", 2), ("E5011", 1)],
      goods=[("property_lease", 1)], va=0.7, inputs=0.2, words=("资产管理", "房屋租赁"),
      ib_words=("房屋租赁部",)),
    # --- L 租赁和商务服务 -------------------------------------------------------------------------
    I("L7113", "建筑工程机械与设备经营租赁", ent=20, upstream=[("F5179", 2), ("O8111", 1), ("F5265", 1)],
      goods=[("equipment_lease", 1)], season="construction", words=("机械设备租赁", "设备租赁")),
    I("L7224", "供应链管理服务", ent=30, upstream=[("C3130", 3), ("F5164", 2), ("C3254", 1)],
      goods=[("rebar", 2), ("steel_plate", 1), ("supply_chain", 0.5)], va=0.08, inputs=0.9, export_p=0.1,
      t_b2b=80_000, prod=3_000_000, margin=0.02, words=("供应链管理", "供应链")),
    I("L7241", "会计、审计及税务服务", ent=40, upstream=[("I6513", 1)], goods=[("bookkeeping", 3),
      ("consulting", 1)], t_b2b=1_500, inputs=0.15, words=("财务咨询", "会计服务")),
    I("L7259", "其他广告服务", ent=40, ib=20, upstream=[("C2319", 2), ("F5169", 1)], goods=[("advertising", 1)],
      words=("广告", "文化传媒"), ib_words=("广告部", "图文店")),
    I("L7263", "劳务派遣服务", ent=15, upstream=[("L7241", 1)], goods=[("labour", 1)], va=0.8, inputs=0.1,
      t_b2b=50_000, prod=80_000, words=("人力资源", "劳务")),
    # --- M, O, P --------------------------------------------------------------------------------
    I("M7484", "工程设计活动", ent=25, upstream=[("I6513", 1), ("F5179", 1)], goods=[("design", 1)],
      words=("工程设计", "规划设计")),
    I("O8030", "洗染服务", ent=3, ib=40, upstream=[("F5169", 1)], goods=[("laundry", 1)],
      goods_c=[("laundry", 1)], words=("洗衣",), ib_words=("干洗店",)),
    I("O8040", "理发及美容服务", ent=8, ib=250, upstream=[("F5219", 1), ("F5169", 1)], goods=[("haircut", 1)],
      goods_c=[("haircut", 1)], words=("美容美发",), ib_words=("理发店", "美发店")),
    I("O8111", "汽车修理与维护", ent=15, ib=120, upstream=[("C3670", 3), ("F5174", 1)],
      goods=[("car_repair", 1)], goods_c=[("car_repair", 1)], b2c=0.6, t_b2b=3_000, t_b2c=800,
      kwh=60, words=("汽车服务", "汽车维修"), ib_words=("汽车修理部", "汽修店")),
    I("P8391", "职业技能培训", ent=20, ib=30, upstream=[("L7259", 1), ("K7040", 1)], goods=[("training", 1)],
      goods_c=[("training", 1)], words=("职业培训", "教育科技"), ib_words=("培训部",)),
    # --- only outside the district (suppliers and customers) -------------------------------------
    I("A0241", "木材采运", external=True, goods=[("timber", 1)], words=("林业",)),
    I("B1011", "石灰石、石膏开采", external=True, goods=[("limestone", 1)], words=("矿业",)),
    I("B1019", "粘土及其他土砂石开采", external=True, goods=[("sand", 1)], words=("砂石",)),
    I("C2624", "复混肥料制造", external=True, goods=[("fertiliser", 1)], words=("化肥",)),
    I("C2651", "初级形态塑料及合成树脂制造", external=True, goods=[("resin", 1)], words=("石化",)),
    I("C3120", "炼钢", external=True, goods=[("billet", 1), ("rebar", 1)], words=("钢铁",)),
    I("C3239", "其他稀有金属冶炼", external=True, goods=[("sponge_ti", 1)], words=("钛业",)),
    I("C3251", "铜压延加工", external=True, goods=[("copper", 1)], words=("铜业",)),
    I("C3611", "汽柴油车整车制造", external=True, goods=[("cars", 1)], words=("汽车",)),
    I("D4420", "电力供应", external=True, goods=[("power", 1)], words=("供电",)),
    I("D4610", "自来水生产和供应", external=True, goods=[("water", 1)], words=("供水",)),
    I("F5111", "谷物、豆及薯类批发", external=True, goods=[("wheat", 1)], words=("粮食",)),
    I("F5129", "其他食品批发", external=True, goods=[("snacks", 1), ("drinks", 1)], words=("食品",)),
    I("F5131", "纺织品、针织品及原料批发", external=True, goods=[("fabric", 1)], words=("纺织",)),
    I("F5132", "服装批发", external=True, goods=[("clothes", 1)], words=("服装",)),
    I("F5138", "日用家电批发", external=True, goods=[("appliances", 1)], words=("家电",)),
    I("F5151", "西药批发", external=True, goods=[("medicine", 1)], words=("医药",)),
    I("F5161", "煤炭及制品批发", external=True, goods=[("coal", 1)], words=("煤炭",)),
    I("F5162", "石油及制品批发", external=True, goods=[("fuel", 1), ("diesel", 1)], words=("石油",)),
    I("F5169", "其他化工产品批发", external=True, goods=[("daily_goods", 1), ("resin", 0.3)], words=("化工",)),
)
del I

INDEX = {ind.code: i for i, ind in enumerate(INDUSTRIES)}
UTILITY_POWER, UTILITY_WATER = INDEX["D4420"], INDEX["D4610"]


@dataclass(frozen=True)
class Catalog:
    """The tables above as arrays, for vectorised generation."""

    n: int
    codes: np.ndarray            # str
    sector: np.ndarray           # 1, 2, 3
    section: np.ndarray          # str, one letter
    external: np.ndarray         # bool
    w_ent: np.ndarray
    w_ib: np.ndarray
    w_oth: np.ndarray
    num: dict[str, np.ndarray]   # numeric parameters by name
    season: np.ndarray           # (n, 12), mean 1
    upstream: np.ndarray         # (n buyer, n seller) weights, rows sum to 1
    goods_b2b: np.ndarray        # (n, K) goods index, -1 padded
    goods_b2b_cum: np.ndarray    # (n, K) cumulative probabilities
    goods_b2c: np.ndarray
    goods_b2c_cum: np.ndarray
    goods_code: np.ndarray       # per goods
    goods_item: np.ndarray
    goods_unit: np.ndarray
    goods_price_fen: np.ndarray  # int64
    goods_rate_bp: np.ndarray    # rate in basis points for a general taxpayer
    goods_exempt: np.ndarray     # 0 none, 1 producer, 2 always
    goods_hs: np.ndarray
    goods_name: np.ndarray
    exportable: dict[int, np.ndarray] = field(default_factory=dict)  # industry -> goods with an HS code


_NUMERIC = ("urban", "rev_ent", "rev_ib", "va", "inputs", "b2c", "b2c_inv", "local", "export_p",
            "export_share", "t_b2b", "t_b2c", "prod", "kwh", "water", "margin", "wage")


def _goods_table(lists: list[tuple[tuple[str, float], ...]], width: int) -> tuple[np.ndarray, np.ndarray]:
    idx = np.full((len(lists), width), -1, dtype=np.int32)
    cum = np.ones((len(lists), width), dtype=np.float64)
    for r, items in enumerate(lists):
        if not items:
            continue
        weights = np.array([w for _, w in items], dtype=np.float64)
        idx[r, :len(items)] = [GOODS_INDEX[k] for k, _ in items]
        cum[r, :len(items)] = np.cumsum(weights) / weights.sum()
    return idx, cum


@cache
def catalog() -> Catalog:
    n = len(INDUSTRIES)
    upstream = np.zeros((n, n), dtype=np.float64)
    for r, ind in enumerate(INDUSTRIES):
        own = sum(w for _, w in ind.upstream)
        for code, w in ind.upstream:
            upstream[r, INDEX[code]] += w
        for code, w in COMMON_UPSTREAM:
            if code != ind.code:
                upstream[r, INDEX[code]] += w * max(own, 1.0)
        total = upstream[r].sum()
        if total > 0:
            upstream[r] /= total
    b2b_lists = [ind.goods for ind in INDUSTRIES]
    b2c_lists = [ind.goods_c or ind.goods for ind in INDUSTRIES]
    width = max(len(x) for x in b2b_lists + b2c_lists)
    gb, gbc = _goods_table(b2b_lists, width)
    gc, gcc = _goods_table(b2c_lists, width)
    season = np.array([SEASONS[ind.season] for ind in INDUSTRIES], dtype=np.float64)
    season /= season.mean(axis=1, keepdims=True)
    exportable = {}
    for r, ind in enumerate(INDUSTRIES):
        keys = [GOODS_INDEX[k] for k, _ in ind.goods if GOODS[GOODS_INDEX[k]].hs]
        if keys:
            exportable[r] = np.array(keys, dtype=np.int32)
    return Catalog(
        n=n,
        codes=np.array([i.code for i in INDUSTRIES]),
        sector=np.array([i.sector for i in INDUSTRIES], dtype=np.int8),
        section=np.array([i.section for i in INDUSTRIES]),
        external=np.array([i.external for i in INDUSTRIES]),
        w_ent=np.array([i.ent for i in INDUSTRIES], dtype=np.float64),
        w_ib=np.array([i.ib for i in INDUSTRIES], dtype=np.float64),
        w_oth=np.array([i.oth for i in INDUSTRIES], dtype=np.float64),
        num={k: np.array([getattr(i, k) for i in INDUSTRIES], dtype=np.float64) for k in _NUMERIC},
        season=season,
        upstream=upstream,
        goods_b2b=gb, goods_b2b_cum=gbc, goods_b2c=gc, goods_b2c_cum=gcc,
        goods_code=np.array([g.code for g in GOODS]),
        goods_item=np.array([g.item_name for g in GOODS]),
        goods_unit=np.array([g.unit for g in GOODS]),
        goods_price_fen=np.array([round(g.price * 100) for g in GOODS], dtype=np.int64),
        goods_rate_bp=np.array([g.rate * 100 for g in GOODS], dtype=np.int64),
        goods_exempt=np.array([{"": 0, "producer": 1, "always": 2}[g.exempt] for g in GOODS], dtype=np.int8),
        goods_hs=np.array([g.hs for g in GOODS]),
        goods_name=np.array([g.name for g in GOODS]),
        exportable=exportable,
    )
