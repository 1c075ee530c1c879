"""The Jintai reform plan (src/zhishui/reform/plans/610303.yaml): its loader, and the data against the seed.

Plain pytest, no database. The seed tests read shared/seed/ beside the repository and skip without it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml

from zhishui.core.errors import ValidationFailure
from zhishui.reform.plan import (
    ALL_MEMBERS,
    PLANS_DIR,
    Plan,
    PlanError,
    PlanNotFound,
    Task,
    available_districts,
    load_plan,
    load_plan_file,
)

REPO = Path(__file__).parents[2]
SEED_DIR = REPO.parent / "shared" / "seed"
SEED_FILE = SEED_DIR / "金台区进一步深化税收征管改革工作方案.txt"
PLAN_FILE = PLANS_DIR / "610303.yaml"

# Page-break artefacts of the seed: the last character before a page break printed again after it.
# Each pair is (text before the break, text after it); the repair drops the repeated character.
REPEATED_ACROSS_BREAK = [("个人", "人税费"), ("强化行", "行政执法"), ("原", "原则上")]

UNITS = {
    "drc": "区发改局", "education": "区教体局", "industry": "区工信局", "police": "金台公安分局",
    "finance": "区财政局", "civil_affairs": "区民政局", "justice": "区司法局", "hrss": "区人社局",
    "natural_resources": "区自然资源和规划分局", "environment": "区生态环境分局", "housing": "区住建局",
    "commerce": "区商务局", "health": "区卫健局", "market_regulation": "区市场监管局",
    "admin_approval": "区行政审批服务局", "statistics": "区统计局", "medical_insurance": "区医保局",
    "big_data_park": "区大数据产业园", "tax": "区税务局", "financial_affairs": "区金融办",
}

# Read off the document by hand: task → (lead, responsible, all_members).
TASK_UNITS: dict[int, tuple[set[str], set[str], bool]] = {
    1: ({"tax", "drc"}, {"tax"}, True),
    2: ({"tax"}, set(), True),
    3: ({"tax"}, set(), True),
    4: (set(), {"tax", "statistics", "drc", "environment", "big_data_park", "hrss", "housing",
                "natural_resources", "medical_insurance"}, False),
    5: (set(), {"tax"}, False),
    6: (set(), {"tax", "finance"}, False),
    7: ({"finance", "tax"}, set(), True),
    8: (set(), {"tax", "justice"}, False),
    9: (set(), {"tax", "police", "drc", "industry", "commerce", "market_regulation"}, False),
    10: (set(), {"tax"}, False),
    11: (set(), {"tax", "police"}, False),
    12: (set(), {"tax", "admin_approval", "finance"}, False),
    13: (set(), {"tax"}, False),
    14: (set(), {"tax", "hrss", "medical_insurance"}, False),
    15: (set(), {"tax"}, False),
    16: ({"tax"}, set(), True),
    17: (set(), {"tax", "justice"}, False),
    18: ({"tax"}, set(), True),
    19: (set(), {"tax", "market_regulation", "police", "finance", "commerce"}, False),
    20: (set(), {"tax", "drc", "police"}, False),
    21: (set(), {"tax", "finance", "financial_affairs", "market_regulation", "police", "housing",
                 "natural_resources"}, False),
    22: (set(), {"tax", "drc", "market_regulation", "education", "justice"}, False),
    23: (set(), {"tax", "police"}, False),
    24: (set(), {"tax", "commerce"}, False),
    25: (set(), {"tax"}, False),
    26: (set(), {"tax"}, False),
    27: (set(), {"tax"}, False),
}

# Dated deliverables; every other task has one implied deliverable at the horizon.
DATED = {
    1: [date(2022, 12, 31), date(2023, 12, 31), date(2025, 12, 31)],
    2: [date(2025, 12, 31)],
    11: [date(2022, 12, 31)],
    14: [date(2021, 12, 31), date(2021, 12, 31), date(2022, 12, 31), date(2023, 12, 31)],
    15: [date(2021, 12, 31), date(2022, 12, 31)],
}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan("610303")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------------------------------
# The data as loaded


def test_jintai_has_27_tasks_in_six_areas(plan):
    assert [t.number for t in plan.tasks] == list(range(1, 28))
    assert [a.heading for a in plan.areas] == [
        "（一）全面推进税收征管数字化升级和智能化改造", "（二）进一步优化税务执法方式",
        "（三）提供高效智能税费服务", "（四）精准有效实施税务监管", "（五）深化拓展税收共治格局",
        "（六）切实强化税务组织保障"]
    assert {a.number: [t.number for t in plan.tasks_in(a)] for a in plan.areas} == {
        1: [1, 2, 3, 4], 2: list(range(5, 12)), 3: list(range(12, 18)), 4: [18, 19, 20],
        5: [21, 22, 23, 24], 6: [25, 26, 27]}
    assert plan.task(1).title == "积极推进智慧税务建设"
    assert plan.task(18).title == "大力推行以“信用+风险”为基础的监管方式"


def test_document_metadata(plan):
    doc = plan.document
    assert (plan.district_code, plan.district_name) == ("610303", "金台区")
    assert doc.number == "宝金政办函〔2022〕1号"
    assert doc.title == "金台区进一步深化税收征管改革的工作方案"
    assert doc.issuer == "宝鸡市金台区人民政府办公室"
    assert doc.issued is None  # the seed bears no date
    assert [d.number for d in doc.implements] == [
        "中办发〔2021〕12号", "陕政办函〔2021〕70号", "宝政办发〔2021〕10号", "宝政办函〔2021〕59号"]
    assert [d.level for d in doc.implements] == ["central", "province", "city", "city"]
    assert plan.horizon == date(2025, 12, 31)
    assert [(g.year, g.due) for g in plan.goals] == [
        (2022, date(2022, 12, 31)), (2023, date(2023, 12, 31)), (2025, date(2025, 12, 31))]


def test_units_have_stable_codes_and_short_names(plan):
    assert {u.code: u.short for u in plan.units} == UNITS
    assert all(u.name and u.name_en for u in plan.units)


def test_police_annex_spelling_is_an_alias(plan):
    police = plan.unit("police")
    assert police.short == "金台公安分局"
    assert "金台公安局" in police.aliases


def test_task_force_members_are_the_annex_list_including_the_finance_office(plan):
    tf = plan.task_force
    assert [u.code for u in tf.members] == list(UNITS)
    assert "区金融办" in tf.members_text.split("、")
    assert tf.leader == "区委常委、常务副区长"
    assert tf.deputy_leaders == ("区政府办副主任", "区税务局局长")
    assert tf.office.seat.code == "tax"
    assert tf.liaison.per_unit == 1
    assert (len(tf.duties.task_force), len(tf.duties.office), len(tf.duties.liaison)) == (3, 4, 3)


def test_party_committee_and_government_are_not_member_units(plan):
    names = {n for u in plan.units for n in u.names}
    assert not names & {"区委", "区政府", "区政府办"}
    assert {b.short for b in plan.other_bodies} == {"区委", "区政府", "区政府办"}


def test_every_task_names_its_units(plan):
    for task in plan.tasks:
        lead, responsible, all_members = TASK_UNITS[task.number]
        assert {u.code for u in task.lead_units} == lead, task.number
        assert {u.code for u in task.responsible_units} == responsible, task.number
        assert task.all_members is all_members, task.number
        assert {u.code for u in task.units} <= set(UNITS)


def test_every_member_has_a_task(plan):
    named = {u.code for t in plan.tasks for u in t.units}
    # 区民政局 and 区卫健局 are named in no parenthesis: they take part through the all-members tasks.
    assert set(UNITS) - named == {"civil_affairs", "health"}
    assert [t.number for t in plan.tasks if t.all_members] == [1, 2, 3, 7, 16, 18]
    assert plan.tasks_for("health") == ()
    assert len(plan.tasks_for("health", include_all_members=True)) == 6


def test_clauses_keep_their_own_units(plan):
    def groups(task: Task):
        return [([u.code for u in c.lead], [u.code for u in c.responsible], c.all_members)
                for c in task.clauses]

    assert groups(plan.task(1)) == [(["tax", "drc"], [], True), ([], ["tax"], False)]
    assert groups(plan.task(4)) == [
        ([], ["tax"], False), ([], ["tax", "statistics"], False),
        ([], ["tax", "drc", "environment", "big_data_park"], False),
        ([], ["tax", "hrss", "housing", "natural_resources", "medical_insurance"], False)]
    assert groups(plan.task(9)) == [
        ([], ["tax"], False), ([], ["tax", "police"], False),
        ([], ["tax", "drc", "industry", "commerce", "market_regulation"], False)]
    assert groups(plan.task(21)) == [
        ([], ["tax", "finance"], False), ([], ["tax", "financial_affairs"], False),
        ([], ["market_regulation", "tax"], False), ([], ["tax", "police"], False),
        ([], ["tax", "housing", "natural_resources"], False)]
    # The two parentheses printed without 负责 are read as 负责.
    assert plan.task(9).clauses[1].attribution == "区税务局、金台公安分局"
    assert plan.task(21).clauses[1].attribution == "区税务局、区金融办"


def test_milestones(plan):
    for task in plan.tasks:
        dated = [m for m in task.milestones if not m.implied]
        if task.number in DATED:
            assert [m.due for m in dated] == DATED[task.number], task.number
            assert len(dated) == len(task.milestones)
            assert all(m.text.startswith(f"{m.due.year}年") for m in dated), task.number
            assert all(m.text in task.text for m in dated)
        else:
            assert [(m.due, m.implied, m.clause) for m in task.milestones] == [
                (date(2025, 12, 31), True, None)], task.number
    one_household = plan.task(1).milestones[0]
    assert one_household.due == date(2022, 12, 31) and "“一户式”" in one_household.text
    # The first 2021 target of task 14 sits with 区人社局 and 区医保局, the later ones with 区税务局 alone.
    assert [m.clause for m in plan.task(14).milestones] == [1, 2, 2, 2]
    assert plan.milestones()[0][1].due == date(2021, 12, 31)


def test_mechanisms_and_requirements(plan):
    assert [(m.code, m.name) for m in plan.mechanisms] == [
        ("meeting", "会议制度"), ("consultation", "会商制度"), ("collaboration", "协作制度"),
        ("research", "调研制度"), ("supervision", "督办制度")]
    assert "原则上每半年至少开展一次专题调研" in plan.mechanism("research").text
    assert "由副组长召集" in plan.mechanism("meeting").text
    assert [r.title for r in plan.requirements] == ["强化组织领导", "强化责任落实", "强化沟通协调"]
    review = {p.code: p for r in plan.requirements for p in r.provisions}["good_bad_review"]
    assert "“好差评”制度" in review.text and "离场评价和线上评价" in review.text


def test_texts_carry_no_whitespace(plan):
    texts = [t.text for t in plan.tasks] + [c.text for t in plan.tasks for c in t.clauses]
    texts += [m.text for m in plan.mechanisms] + [r.text for r in plan.requirements]
    assert not [t for t in texts if re.search(r"\s", t)]


def test_repairs_are_marked_in_the_yaml():
    raw = PLAN_FILE.read_text(encoding="utf-8")
    repaired = [line for line in raw.splitlines() if line.strip().startswith("# REPAIRED")]
    assert len(repaired) == len(REPEATED_ACROSS_BREAK)


# --------------------------------------------------------------------------------------------------
# The loader


def test_load_is_cached_and_lists_districts(plan):
    assert load_plan() is load_plan("610303")
    assert "610303" in available_districts()


def test_missing_district_fails_in_chinese_and_english(tmp_path):
    with pytest.raises(PlanNotFound) as caught:
        load_plan("610302")
    error = caught.value.errors[0]
    assert "未找到" in error.message_zh and "610302" in error.message_zh
    assert "no tax collection reform plan" in error.message_en
    assert caught.value.code == "no_reform_plan"
    with pytest.raises(PlanNotFound):
        load_plan("610303", plans_dir=tmp_path)


@pytest.mark.parametrize("code", ["61030", "6103030", "../610303", 610303, ""])
def test_district_code_is_six_digits(code):
    with pytest.raises(ValidationFailure) as caught:
        load_plan(code)
    assert not isinstance(caught.value, PlanNotFound)


def test_loader_does_not_import_django():
    code = ("import sys; from zhishui.reform.plan import load_plan; load_plan(); "
            "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=False).returncode == 0


def _variant(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "610303.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_an_unchanged_copy_loads(tmp_path):
    copy = load_plan("610303", plans_dir=_variant(tmp_path, lambda d: None).parent)
    assert [t.text for t in copy.tasks] == [t.text for t in load_plan().tasks]


def _set(path: list, value):
    def change(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


@pytest.mark.parametrize(("change", "message"), [
    (_set(["tasks", 4, "clauses", 0, "responsible"], ["nobody"]), "'nobody' is not declared in units"),
    (_set(["tasks", 4, "clauses", 0, "responsible"], ["district_government"]), "is not a member unit"),
    (_set(["tasks", 4, "clauses", 0, "responsible"], ["finance"]), "but the attribution says ['tax']"),
    (_set(["tasks", 0, "clauses", 0, "all_members"], False), "all_members"),
    (_set(["tasks", 0, "lead"], ["tax"]), "is not the union of the clauses'"),
    (_set(["tasks", 0, "milestones", 0, "due"], "2022年"), "expected an ISO date"),
    (_set(["tasks", 0, "milestones", 0, "due"], "2022-02-30"), "expected an ISO date"),
    (_set(["tasks", 0, "milestones", 0, "due"], date(2024, 12, 31)), "the text says 2022年"),
    (_set(["tasks", 0, "milestones", 0, "text"], "2022年建成"), "exactly one clause"),
    (_set(["tasks", 4, "milestones", 0, "due"], date(2024, 12, 31)), "implied milestone is due on the"),
    (_set(["tasks", 4, "milestones"], []), "at least one milestone"),
    (_set(["tasks", 4, "number"], 6), "numbered 1, 2"),
    (_set(["tasks", 4, "area"], 9), "area 9 is not declared"),
    (_set(["tasks", 4, "text"], "严格税收管理权限（区税务局负责）。"), "does not occur in the task text"),
    (lambda d: d["tasks"].pop(), "expected 27 tasks, found 26"),
    (_set(["district", "code"], "610304"), "does not match the file name"),
    (_set(["horizon"], "2025-12-31T00:00:00"), "expected an ISO date"),
    (_set(["task_force", "members"], ["tax"]), "members_text"),
    (lambda d: d["units"].append({"code": "police2", "short": "金台公安局", "name": "x"}), "also used by"),
])
def test_broken_plans_are_refused(tmp_path, change, message):
    path = _variant(tmp_path, change)
    with pytest.raises(PlanError) as caught:
        load_plan("610303", plans_dir=tmp_path)
    assert message in str(caught.value), caught.value.problems
    assert caught.value.path == path


@pytest.mark.parametrize("text", [
    "format: 1\ndistrict: [\n",
    PLAN_FILE.read_text(encoding="utf-8").replace("due: 2022-12-31", "due: 2022-02-30", 1),
])
def test_unreadable_yaml_is_a_plan_error(tmp_path, text):
    path = tmp_path / "610303.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError, match="not readable as YAML"):
        load_plan_file(path)


# --------------------------------------------------------------------------------------------------
# Against the seed document


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEED_FILE.is_file():
        pytest.skip(f"seed document absent: {SEED_FILE} (expected shared/seed/ beside the repository)")
    return SEED_FILE.read_text(encoding="utf-8")


def _artefact(before: str, after: str) -> re.Pattern:
    return re.compile(re.escape(before) + r"[ \t]*\n\s*" + re.escape(after))


@pytest.fixture(scope="module")
def flat(seed) -> str:
    """The seed with the known repeated characters dropped and every whitespace removed."""
    for before, after in REPEATED_ACROSS_BREAK:
        seed = _artefact(before, after).sub(before + after[1:], seed)
    return squash(seed)


def test_known_artefacts_are_all_the_repeats_across_breaks(seed):
    for before, after in REPEATED_ACROSS_BREAK:
        assert len(_artefact(before, after).findall(seed)) == 1, before + after
    repeats = [m.group(0) for m in re.finditer(r"(\S)[ \t]*\n\s*\n\s*\1", seed)]
    assert len(repeats) == len(REPEATED_ACROSS_BREAK), repeats


def task_paragraph(flat: str, plan: Plan, task: Task) -> str:
    """The task's paragraph in the flattened seed, from “N.标题。” to the next task, area or section."""
    marker = f"{task.number}.{task.title}。"
    assert flat.count(marker) == 1, marker
    start = flat.index(marker)
    ends = [a.heading for a in plan.areas] + ["三、工作要求"]
    if task.number < len(plan.tasks):
        ends.append(f"{task.number + 1}.{plan.task(task.number + 1).title}。")
    end = min(i for i in (flat.find(e, start + 1) for e in ends) if i > 0)
    return flat[start:end]


def test_every_task_text_is_the_seed_paragraph(plan, flat):
    for task in plan.tasks:
        assert squash(task.full_text) == task_paragraph(flat, plan, task), task.number


def unit_parentheses(paragraph: str) -> list[str]:
    """The parentheses that name units (not “（标准版）”, “（陕西）”, “（一般纳税人）” …)."""
    return [p for p in re.findall(r"（([^（）]*)）", paragraph)
            if re.match(r"(区|金台)\S*(局|办|园)", p)]


def test_every_unit_in_the_seed_parentheses_is_in_the_task(plan, flat):
    by_name = {n: u.code for u in plan.units for n in u.names}
    for task in plan.tasks:
        found = unit_parentheses(task_paragraph(flat, plan, task))
        assert found == [c.attribution for c in task.clauses], task.number
        for clause, parenthesis in zip(task.clauses, found, strict=True):
            lead, responsible, all_members = set(), set(), False
            for group in parenthesis.split("，"):
                if group == ALL_MEMBERS:
                    all_members = True
                    continue
                target = lead if group.endswith("牵头") else responsible
                for name in re.sub("(牵头|负责)$", "", group).split("、"):
                    assert name in by_name, (task.number, name)
                    target.add(by_name[name])
            assert lead == {u.code for u in clause.lead}, task.number
            assert responsible == {u.code for u in clause.responsible}, task.number
            assert all_members is clause.all_members, task.number
            assert lead | responsible <= set(task.unit_codes()), task.number


def test_every_year_in_a_task_is_a_deliverable(plan, flat):
    for task in plan.tasks:
        years = Counter(int(y) for y in re.findall(r"(20\d\d)年", task_paragraph(flat, plan, task)))
        dated = Counter(m.due.year for m in task.milestones if not m.implied)
        assert years == dated, task.number
        assert all(m.due == date(m.due.year, 12, 31) for m in task.milestones)


def test_annex_members_and_texts_are_the_seed(plan, flat):
    members = flat[flat.index("成员：") + 3: flat.index("工作专班下设办公室")].rstrip("、").split("、")
    by_name = {n: u.code for u in plan.units for n in u.names}
    assert [by_name[n] for n in members] == [u.code for u in plan.task_force.members]
    assert "区金融办" in members and "金台公安局" in members
    texts = [plan.task_force.office.text, plan.task_force.liaison.text]
    duties = plan.task_force.duties
    texts += [*duties.task_force, *duties.office, *duties.liaison]
    texts += [f"{m.name}。{m.text}" for m in plan.mechanisms]
    texts += [f"{r.title}。{r.text}" for r in plan.requirements]
    texts += [g.text for g in plan.goals]
    for text in texts:
        assert squash(text) in flat, text


def test_document_metadata_is_the_seed(plan, flat):
    doc = plan.document
    for text in (doc.title, doc.notice_title, doc.number, doc.issuer, doc.addressees, doc.notice_text,
                 doc.preamble):
        assert squash(text) in flat, text
    for superior in doc.implements:
        assert f"{superior.title}" in doc.preamble and f"（{superior.number}）" in doc.preamble
