"""Synthetic Chinese names: persons, companies, individual businesses, addresses and phones.

Everything here is drawn from the word lists below with a seeded generator, so the same seed gives
the same names. The lists are ordinary words; no name is copied from a register of real persons or
companies, and trade names (字号) are combined from single characters, so a generated company name
resembling a real one is chance.
"""

from __future__ import annotations

import numpy as np

# The commonest surnames, weighted roughly by frequency (north-west China).
_SURNAMES = (
    "王李张刘杨陈赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
)
_SURNAME_WEIGHTS = np.array([1.0 / (1 + i) ** 0.9 for i in range(len(_SURNAMES))])
SURNAMES = np.array(list(_SURNAMES))
SURNAME_P = _SURNAME_WEIGHTS / _SURNAME_WEIGHTS.sum()

_GIVEN_MALE = "伟强军磊涛斌勇杰鹏辉刚超峰明建华平东波亮浩宇博文龙飞鑫俊凯晨阳帅瑞智彬健锋振宏兴旭海林刚毅"
_GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英慧玲婷雪琳颖晶倩洁燕萍红梅兰佳怡欣妍璐悦莉蓉瑶婧琪珊萱菲彤"
_GIVEN_ANY = "小永志国德子金晓春宝新立家世天文建红安思雅佳嘉俊宏明"
GIVEN_MALE = np.array(list(_GIVEN_MALE))
GIVEN_FEMALE = np.array(list(_GIVEN_FEMALE))
GIVEN_ANY = np.array(list(_GIVEN_ANY))

# Characters combined into two-character trade names (字号).
_TRADE_A = "鑫宏金华瑞恒博鼎丰汇嘉永昌泰众铭德聚盛凯中兴振远安晨九万新利顺佳正源锦秦周宝凤岐渭陈蟠磻天"
_TRADE_B = "盛达泰瑞通远力信源和祥兴隆联诚润世青越业华航光洲宇民顺和通丰川程原鸣峰龙腾辉创誉晟茂祥"
TRADE_A = np.array(list(_TRADE_A))
TRADE_B = np.array(list(_TRADE_B))

_ROADS = ("东风路", "中山东路", "中山西路", "群众路", "金台大道", "宝平路", "陈仓路", "卧龙寺路", "十里铺街",
          "西关街", "蟠龙大道", "金河路", "硖石路", "行政大道", "北坡路", "东岭路", "长寿路", "金陵路",
          "店子街", "苍龙路", "三迪路", "瓦窑路", "渭工路", "凤凰路", "石鼓路", "联盟路")
ROADS = np.array(_ROADS)
_SHARED_ADDRESS = "创业大厦"  # 商务秘书 addresses shared by many registrations

FORMS = np.array(["有限公司", "有限责任公司"])


def person_names(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    n = len(male)
    surname = rng.choice(SURNAMES, size=n, p=SURNAME_P)
    first = np.where(male, rng.choice(GIVEN_MALE, size=n), rng.choice(GIVEN_FEMALE, size=n))
    any_first = rng.random(n) < 0.3
    first = np.where(any_first, rng.choice(GIVEN_ANY, size=n), first)
    second = np.where(male, rng.choice(GIVEN_MALE, size=n), rng.choice(GIVEN_FEMALE, size=n))
    two = rng.random(n) < 0.72
    given = np.where(two, np.char.add(first, second), second)
    return np.char.add(surname, given)


def trade_names(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.char.add(rng.choice(TRADE_A, size=n), rng.choice(TRADE_B, size=n))


def unique_names(rng: np.random.Generator, base: list[str], make_alternative) -> list[str]:
    """Make names unique in order: a repeated name is rebuilt with ``make_alternative(i, attempt)``."""
    seen: set[str] = set()
    out = []
    for i, name in enumerate(base):
        attempt = 0
        while name in seen:
            attempt += 1
            name = make_alternative(i, attempt)
        seen.add(name)
        out.append(name)
    return out


def addresses(rng: np.random.Generator, prefix: np.ndarray) -> np.ndarray:
    """Street addresses: ``<township full name><road><number>号``."""
    n = len(prefix)
    road = rng.choice(ROADS, size=n)
    number = rng.integers(1, 380, size=n).astype(str)
    return np.char.add(np.char.add(np.char.add(prefix, road), number), "号")


def shared_address(prefix: str, room: int) -> str:
    return f"{prefix}{_SHARED_ADDRESS}{room}室"


def mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    prefixes = np.array(["133", "135", "136", "137", "138", "139", "150", "152", "153", "155", "156", "158",
                         "159", "173", "177", "180", "181", "183", "185", "187", "189", "191", "199"])
    head = rng.choice(prefixes, size=n)
    tail = rng.integers(0, 10**8, size=n)
    return np.char.add(head, np.char.zfill(tail.astype(str), 8))


def landlines(rng: np.random.Generator, n: int, area: str = "0917") -> np.ndarray:
    number = rng.integers(2_000_000, 9_999_999, size=n).astype(str)
    return np.char.add(f"{area}-", number)
