"""A district's work plan for deepening tax collection reform (深化税收征管改革工作方案), as reviewed data.

The plan is read from ``plans/<6-digit district code>.yaml`` next to this module. The file is written
and reviewed by hand from the published document; nothing is parsed out of the document at run time.
This module is plain Python (PyYAML and dataclasses, no Django), so anything — the web shell's "about"
page, the CLI, a report — can call ``load_plan("610303")``. The plan is checked on load; a file that
breaks a rule below raises ``PlanError`` listing every problem, a district without a file raises
``PlanNotFound`` (a ``ValidationFailure`` with a Chinese and an English message).

File format (``format: 1``)
---------------------------
Text values are the document's own words. Long texts may be written as literal blocks (``|-``) wrapped
anywhere: every line break is removed together with the spaces and tabs around it, so a wrapped block
reads back as one line (Chinese puts no spaces between words; spaces inside a line are kept). Do not use
folded blocks (``>``), which turn line breaks into spaces. Dates are ISO ``YYYY-MM-DD``. Codes are
lower-case ASCII slugs (``[a-z][a-z0-9_]*``). Keys marked ``?`` are optional::

    format: 1
    district: {code: "610303", name: 金台区, full_name?: 陕西省宝鸡市金台区}   # code = the file name
    document:
      title: 金台区进一步深化税收征管改革的工作方案
      number: 宝金政办函〔2022〕1号                     # 文号
      issuer: 宝鸡市金台区人民政府办公室
      notice_title?, addressees?, approved_by?, notice_text?, preamble?: text
      issued?: 2022-01-10 or null                      # null when the document bears no date
      implements?:                                     # the superior documents it carries out
        - {title: …, number: 中办发〔2021〕12号, issuer?: …, level?: central|province|city|district,
           short?: 意见}
    horizon: 2025-12-31               # the plan's last target date
    expected_task_count?: 27          # checked when given
    goals?:   [{year: 2022, due: 2022-12-31, text: 到2022年，…}]            # due falls in year
    areas:    [{number: 1, numeral?: 一, title: …}]                          # numbered 1..M
    units:                            # the member units tasks may be assigned to
      - {code: tax, short: 区税务局, name: 国家税务总局…税务局, name_en?: …, aliases?: [other spellings]}
    other_bodies?: [{code, short, name}]   # bodies the text names that take no task (区委, 区政府 …)
    task_force?:
      name: …工作专班
      leader?: text
      deputy_leaders?: [text, …]
      members: [unit codes]           # every code declared in units
      members_text?: 区发改局、…      # the list as printed: must name exactly ``members``, in order
      office?: {seat: unit code, director?: text, text?: text}
      liaison?: {per_unit?: 1, text?: text}
      duties?: {task_force?: [text], office?: [text], liaison?: [text]}
    mechanisms?: [{code: meeting, name: 会议制度, text: …}]
    requirements?:                    # numbered 1..K
      - {number: 1, title: …, text: …, provisions?: [{code, name, text}]}   # provision text ⊂ text
    tasks:                            # numbered 1..N in order, grouped by area in area order
      - number: 1
        title: 积极推进智慧税务建设
        area: 1
        text: …                       # the paragraph after “1.积极推进智慧税务建设。”, unit parentheses
                                      # included, exactly as printed
        clauses:                      # the text cut after each parenthesis naming units
          - text: …                   # the clause without its parenthesis; occurs in text, in order
            attribution?: 区税务局、区发改局牵头，工作专班成员共同推进    # the parenthesis as printed
            lead?: [tax, drc]         # …牵头
            responsible?: [tax]       # …负责
            all_members?: true        # 工作专班成员共同推进 (every member unit co-operates)
        lead?: […]                    # union over the clauses; checked when given
        responsible?: […]
        all_members?: bool
        milestones:                   # at least one
          - {due: 2022-12-31, text: 2022年基本实现…}     # text occurs in exactly one clause
          - {due: 2025-12-31, text: <task title>, implied: true}

Rules checked on load, besides the shapes above: unit and body codes and names are unique; every unit
a task, the task force or an office names is declared in ``units`` (``other_bodies`` may not be
assigned tasks); a clause names at least one unit or ``all_members``; with an ``attribution`` the
clause text must be followed in the task text by ``（attribution）``, and the attribution must say
exactly what the lists say — groups of names joined by “、”, each group ending in 牵头 (lead) or 负责
(responsible), a group with neither word counting as responsible, and 工作专班成员共同推进 for
``all_members``; when every clause has an attribution the clauses must make up the whole text (only
“。” or “；” may follow a parenthesis). A dated milestone's first “20xx年” must be its due year; no
milestone is due after ``horizon``; every task has a milestone, and ``implied: true`` marks the single
deliverable of a task whose text sets no date: due on ``horizon``, never beside dated milestones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from zhishui.core.errors import ValidationFailure

PLANS_DIR = Path(__file__).resolve().with_name("plans")
DEFAULT_DISTRICT = "610303"
FORMAT = 1
ALL_MEMBERS = "工作专班成员共同推进"
ROLE_WORDS = {"牵头": "lead", "负责": "responsible"}
LEVELS = ("central", "province", "city", "district")
NUMERALS = "一二三四五六七八九十"

_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_DISTRICT_RE = re.compile(r"^\d{6}$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_RE = re.compile(r"(20\d\d)年")
_LINE_BREAK_RE = re.compile(r"[ \t\u3000]*\r?\n[ \t\u3000]*")


class PlanError(ValueError):
    """A plan file breaks the format; ``problems`` lists every fault found."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = Path(path)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"税收征管改革工作方案文件有误 / invalid reform plan file {self.path}:\n{lines}")


class PlanNotFound(ValidationFailure):
    """No plan file for the district: a lookup failure shown to users."""

    def __init__(self, district_code: str, path: Path):
        self.district_code = district_code
        self.path = path
        super().__init__(
            "district_code",
            f"未找到行政区划代码 {district_code} 的税收征管改革工作方案（应有文件 plans/{path.name}）",
            f"no tax collection reform plan for district {district_code} (expected plans/{path.name})",
            district_code, code="no_reform_plan")


# --------------------------------------------------------------------------------------------------
# The plan


@dataclass(frozen=True)
class Unit:
    """A member unit of the task force (成员单位)."""

    code: str
    short: str
    name: str
    name_en: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.short, self.name, *self.aliases)


@dataclass(frozen=True)
class Body:
    """A body the document names that is not a member unit (区委, 区政府 …)."""

    code: str
    short: str
    name: str


@dataclass(frozen=True)
class SuperiorDocument:
    title: str
    number: str
    issuer: str = ""
    level: str = ""
    short: str = ""


@dataclass(frozen=True)
class Document:
    title: str
    number: str
    issuer: str
    notice_title: str = ""
    issued: date | None = None
    addressees: str = ""
    approved_by: str = ""
    notice_text: str = ""
    preamble: str = ""
    implements: tuple[SuperiorDocument, ...] = ()


@dataclass(frozen=True)
class Goal:
    year: int
    due: date
    text: str


@dataclass(frozen=True)
class Area:
    number: int
    numeral: str
    title: str

    @property
    def heading(self) -> str:
        return f"（{self.numeral}）{self.title}" if self.numeral else self.title


@dataclass(frozen=True)
class Clause:
    """One stretch of a task's text and the units its parenthesis names."""

    text: str
    lead: tuple[Unit, ...] = ()
    responsible: tuple[Unit, ...] = ()
    all_members: bool = False
    attribution: str = ""

    @property
    def units(self) -> tuple[Unit, ...]:
        return _union(self.lead, self.responsible)


@dataclass(frozen=True)
class Milestone:
    """A dated deliverable. ``clause`` is the 1-based clause stating it (None when implied)."""

    due: date
    text: str
    implied: bool = False
    clause: int | None = None


@dataclass(frozen=True)
class Task:
    number: int
    title: str
    area: Area
    text: str
    clauses: tuple[Clause, ...]
    lead_units: tuple[Unit, ...]
    responsible_units: tuple[Unit, ...]
    all_members: bool
    milestones: tuple[Milestone, ...]

    @property
    def heading(self) -> str:
        return f"{self.number}.{self.title}"

    @property
    def full_text(self) -> str:
        """The paragraph as printed: “1.积极推进智慧税务建设。依法规范…”."""
        return f"{self.number}.{self.title}。{self.text}"

    @property
    def units(self) -> tuple[Unit, ...]:
        """The units named in the task's parentheses (lead first), without the all-members clause."""
        return _union(self.lead_units, self.responsible_units)

    def unit_codes(self) -> tuple[str, ...]:
        return tuple(u.code for u in self.units)


@dataclass(frozen=True)
class Office:
    seat: Unit | None = None
    director: str = ""
    text: str = ""


@dataclass(frozen=True)
class Liaison:
    per_unit: int | None = None
    text: str = ""


@dataclass(frozen=True)
class Duties:
    task_force: tuple[str, ...] = ()
    office: tuple[str, ...] = ()
    liaison: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskForce:
    name: str
    members: tuple[Unit, ...]
    leader: str = ""
    deputy_leaders: tuple[str, ...] = ()
    members_text: str = ""
    office: Office = Office()
    liaison: Liaison = Liaison()
    duties: Duties = Duties()


@dataclass(frozen=True)
class Mechanism:
    code: str
    name: str
    text: str


@dataclass(frozen=True)
class Provision:
    code: str
    name: str
    text: str


@dataclass(frozen=True)
class Requirement:
    number: int
    title: str
    text: str
    provisions: tuple[Provision, ...] = ()


@dataclass(frozen=True)
class Plan:
    district_code: str
    district_name: str
    district_full_name: str
    document: Document
    horizon: date
    goals: tuple[Goal, ...]
    areas: tuple[Area, ...]
    units: tuple[Unit, ...]
    other_bodies: tuple[Body, ...]
    tasks: tuple[Task, ...]
    task_force: TaskForce | None
    mechanisms: tuple[Mechanism, ...]
    requirements: tuple[Requirement, ...]
    source: Path

    def task(self, number: int) -> Task:
        for t in self.tasks:
            if t.number == number:
                return t
        raise KeyError(number)

    def unit(self, code: str) -> Unit:
        for u in self.units:
            if u.code == code:
                return u
        raise KeyError(code)

    def area(self, number: int) -> Area:
        for a in self.areas:
            if a.number == number:
                return a
        raise KeyError(number)

    def mechanism(self, code: str) -> Mechanism:
        for m in self.mechanisms:
            if m.code == code:
                return m
        raise KeyError(code)

    def tasks_in(self, area: int | Area) -> tuple[Task, ...]:
        number = area.number if isinstance(area, Area) else area
        return tuple(t for t in self.tasks if t.area.number == number)

    def tasks_for(self, unit: str | Unit, *, include_all_members: bool = False) -> tuple[Task, ...]:
        """Tasks naming ``unit``; with ``include_all_members`` also those every member co-operates on."""
        code = unit.code if isinstance(unit, Unit) else unit
        return tuple(t for t in self.tasks
                     if code in t.unit_codes() or (include_all_members and t.all_members))

    def milestones(self) -> list[tuple[Task, Milestone]]:
        """Every deliverable with its task, by due date then task number."""
        pairs = [(t, m) for t in self.tasks for m in t.milestones]
        return sorted(pairs, key=lambda p: (p[1].due, p[0].number))


# --------------------------------------------------------------------------------------------------
# Loading


def available_districts(plans_dir: Path | None = None) -> tuple[str, ...]:
    """The district codes that have a plan file."""
    folder = plans_dir or PLANS_DIR
    if not folder.is_dir():
        return ()
    return tuple(sorted(p.stem for p in folder.glob("*.yaml") if _DISTRICT_RE.match(p.stem)))


def load_plan(district_code: str = DEFAULT_DISTRICT, *, plans_dir: Path | None = None) -> Plan:
    """The checked plan of ``district_code``; the shipped plans are read once and cached."""
    if not isinstance(district_code, str) or not _DISTRICT_RE.match(district_code):
        raise ValidationFailure(
            "district_code", f"行政区划代码应为6位数字：{district_code!r}",
            f"a district code is six digits: {district_code!r}", district_code)
    if plans_dir is None:
        return _load_shipped(district_code)
    return _load_from(Path(plans_dir), district_code)


@cache
def _load_shipped(district_code: str) -> Plan:
    return _load_from(PLANS_DIR, district_code)


def _load_from(folder: Path, district_code: str) -> Plan:
    path = folder / f"{district_code}.yaml"
    if not path.is_file():
        raise PlanNotFound(district_code, path)
    return load_plan_file(path)


def load_plan_file(path: Path | str) -> Plan:
    """Read and check one plan file (not cached). A six-digit file name must match ``district.code``."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for dates like 2022-02-30
        raise PlanError(path, [f"not readable as YAML: {exc}"]) from exc
    reader = _Reader(path)
    plan = reader.plan(data)
    if reader.problems or plan is None:
        raise PlanError(path, reader.problems or ["empty plan"])
    return plan


def _union(*groups: tuple[Unit, ...]) -> tuple[Unit, ...]:
    seen: dict[str, Unit] = {}
    for group in groups:
        for u in group:
            seen.setdefault(u.code, u)
    return tuple(seen.values())


def clean_text(value: str) -> str:
    """Remove the line breaks (and the blanks around them) of a wrapped text."""
    return _LINE_BREAK_RE.sub("", value).strip()


class _Reader:
    """Builds a ``Plan`` from parsed YAML, collecting every problem instead of stopping at the first."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[str] = []
        self.units: dict[str, Unit] = {}
        self.bodies: dict[str, Body] = {}
        self.names: dict[str, str] = {}  # any spelling of a unit → its code

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    # -- scalars -----------------------------------------------------------------------------------

    def mapping(self, value: Any, where: str) -> dict:
        if isinstance(value, dict):
            return value
        self.fail(where, "expected a mapping")
        return {}

    def sequence(self, value: Any, where: str, *, required: bool = True) -> list:
        if value is None and not required:
            return []
        if isinstance(value, list):
            return value
        self.fail(where, "expected a list")
        return []

    def text(self, data: dict, key: str, where: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.fail(where, f"missing {key}")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.fail(f"{where}.{key}", f"expected text, got {type(value).__name__}")
            return ""
        return clean_text(str(value))

    def integer(self, data: dict, key: str, where: str, *, required: bool = True) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(where, f"missing {key}")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{where}.{key}", f"expected a whole number, got {value!r}")
            return None
        return value

    def flag(self, data: dict, key: str, where: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"{where}.{key}", f"expected true or false, got {value!r}")
            return False
        return value

    def day(self, data: dict, key: str, where: str, *, required: bool = True) -> date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(where, f"missing {key}")
            return None
        if isinstance(value, datetime):
            self.fail(f"{where}.{key}", f"expected a date (YYYY-MM-DD), got a timestamp {value!r}")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str) and _ISO_DATE_RE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(f"{where}.{key}", f"expected an ISO date YYYY-MM-DD, got {value!r}")
        return None

    def code(self, data: dict, where: str) -> str:
        value = data.get("code")
        if not isinstance(value, str) or not _CODE_RE.match(value):
            self.fail(where, f"code must be a lower-case slug [a-z][a-z0-9_]*, got {value!r}")
            return ""
        return value

    def unit_refs(self, value: Any, where: str) -> tuple[Unit, ...]:
        found: list[Unit] = []
        for code in self.sequence(value, where, required=False):
            if code in self.units:
                if any(u.code == code for u in found):
                    self.fail(where, f"unit {code!r} listed twice")
                else:
                    found.append(self.units[code])
            elif code in self.bodies:
                self.fail(where, f"{code!r} ({self.bodies[code].short}) is not a member unit and takes "
                                 "no task")
            else:
                self.fail(where, f"unit {code!r} is not declared in units")
        return tuple(found)

    # -- sections ----------------------------------------------------------------------------------

    def plan(self, data: Any) -> Plan | None:
        if not isinstance(data, dict):
            self.fail("file", "expected a mapping at the top level")
            return None
        if data.get("format") != FORMAT:
            self.fail("format", f"expected format: {FORMAT}, got {data.get('format')!r}")
        district = self.mapping(data.get("district"), "district")
        district_code = str(district.get("code", ""))
        if not _DISTRICT_RE.match(district_code):
            self.fail("district.code",
                      f"expected six digits as a quoted string, got {district.get('code')!r}")
        elif _DISTRICT_RE.match(self.path.stem) and self.path.stem != district_code:
            self.fail("district.code", f"{district_code} does not match the file name {self.path.name}")
        district_name = self.text(district, "name", "district")
        full_name = self.text(district, "full_name", "district", required=False)

        document = self.document(self.mapping(data.get("document"), "document"))
        horizon = self.day(data, "horizon", "plan") or date.max
        goals = self.goals(data.get("goals"))
        areas = self.areas(data.get("areas"))
        self.declare_units(data.get("units"), data.get("other_bodies"))
        tasks = self.tasks(data.get("tasks"), areas, horizon)
        expected = self.integer(data, "expected_task_count", "plan", required=False)
        if expected is not None and expected != len(tasks):
            self.fail("tasks", f"expected {expected} tasks, found {len(tasks)}")
        task_force = self.task_force(data.get("task_force"))
        mechanisms = self.mechanisms(data.get("mechanisms"))
        requirements = self.requirements(data.get("requirements"))
        for goal in goals:
            if goal.due > horizon:
                self.fail(f"goals[{goal.year}]", f"due {goal.due} is after the horizon {horizon}")
        return Plan(district_code, district_name, full_name, document, horizon, goals, areas,
                    tuple(self.units.values()), tuple(self.bodies.values()), tasks, task_force, mechanisms,
                    requirements, self.path)

    def document(self, data: dict) -> Document:
        implements = []
        items = self.sequence(data.get("implements"), "document.implements", required=False)
        for i, item in enumerate(items):
            where = f"document.implements[{i}]"
            item = self.mapping(item, where)
            level = self.text(item, "level", where, required=False)
            if level and level not in LEVELS:
                self.fail(f"{where}.level", f"expected one of {', '.join(LEVELS)}, got {level!r}")
            implements.append(SuperiorDocument(
                self.text(item, "title", where), self.text(item, "number", where),
                self.text(item, "issuer", where, required=False), level,
                self.text(item, "short", where, required=False)))
        return Document(
            title=self.text(data, "title", "document"), number=self.text(data, "number", "document"),
            issuer=self.text(data, "issuer", "document"),
            notice_title=self.text(data, "notice_title", "document", required=False),
            issued=self.day(data, "issued", "document", required=False),
            addressees=self.text(data, "addressees", "document", required=False),
            approved_by=self.text(data, "approved_by", "document", required=False),
            notice_text=self.text(data, "notice_text", "document", required=False),
            preamble=self.text(data, "preamble", "document", required=False),
            implements=tuple(implements))

    def goals(self, value: Any) -> tuple[Goal, ...]:
        goals: list[Goal] = []
        for i, item in enumerate(self.sequence(value, "goals", required=False)):
            where = f"goals[{i}]"
            item = self.mapping(item, where)
            year = self.integer(item, "year", where)
            due = self.day(item, "due", where)
            text = self.text(item, "text", where)
            if year is None or due is None:
                continue
            if due.year != year:
                self.fail(where, f"due {due} is not in {year}")
            if any(g.year == year for g in goals):
                self.fail(where, f"a second goal for {year}")
            goals.append(Goal(year, due, text))
        return tuple(goals)

    def areas(self, value: Any) -> tuple[Area, ...]:
        areas: list[Area] = []
        for i, item in enumerate(self.sequence(value, "areas")):
            where = f"areas[{i}]"
            item = self.mapping(item, where)
            number = self.integer(item, "number", where)
            if number is None:
                continue
            if number != i + 1:
                self.fail(where, f"areas are numbered 1, 2, … in order; found {number} at position {i + 1}")
            numeral = self.text(item, "numeral", where, required=False)
            if numeral and number <= len(NUMERALS) and numeral != NUMERALS[number - 1]:
                self.fail(f"{where}.numeral",
                          f"area {number} is （{NUMERALS[number - 1]}）, not （{numeral}）")
            areas.append(Area(number, numeral, self.text(item, "title", where)))
        return tuple(areas)

    def declare_units(self, units: Any, bodies: Any) -> None:
        for kind, value in (("units", units), ("other_bodies", bodies)):
            for i, item in enumerate(self.sequence(value, kind, required=kind == "units")):
                where = f"{kind}[{i}]"
                item = self.mapping(item, where)
                code = self.code(item, where)
                short, name = self.text(item, "short", where), self.text(item, "name", where)
                if not code:
                    continue
                if code in self.units or code in self.bodies:
                    self.fail(where, f"code {code!r} declared twice")
                    continue
                if kind == "units":
                    given = self.sequence(item.get("aliases"), f"{where}.aliases", required=False)
                    aliases = tuple(clean_text(str(a)) for a in given)
                    unit = Unit(code, short, name, self.text(item, "name_en", where, required=False), aliases)
                    self.units[code] = unit
                    spellings = unit.names
                else:
                    self.bodies[code] = Body(code, short, name)
                    spellings = (short, name)
                for spelling in dict.fromkeys(spellings):
                    if spelling in self.names:
                        self.fail(where, f"name {spelling!r} is also used by {self.names[spelling]!r}")
                    elif spelling:
                        self.names[spelling] = code

    def tasks(self, value: Any, areas: tuple[Area, ...], horizon: date) -> tuple[Task, ...]:
        tasks: list[Task] = []
        by_number = {a.number: a for a in areas}
        for i, item in enumerate(self.sequence(value, "tasks")):
            where = f"tasks[{i}]"
            item = self.mapping(item, where)
            number = self.integer(item, "number", where)
            if number is None:
                continue
            where = f"task {number}"
            if number != i + 1:
                self.fail(where, f"tasks are numbered 1, 2, … in order; found {number} at position {i + 1}")
            area_number = self.integer(item, "area", where)
            area = by_number.get(area_number) if area_number is not None else None
            if area is None:
                if area_number is not None:
                    self.fail(where, f"area {area_number} is not declared")
                continue
            if tasks and area.number < tasks[-1].area.number:
                self.fail(where, f"in area {area.number} after a task of area {tasks[-1].area.number}")
            title, text = self.text(item, "title", where), self.text(item, "text", where)
            clauses = self.clauses(item.get("clauses"), text, where)
            lead = self.union(item, "lead", _union(*(c.lead for c in clauses)), where)
            responsible = self.union(item, "responsible", _union(*(c.responsible for c in clauses)), where)
            all_members = any(c.all_members for c in clauses)
            if "all_members" in item and self.flag(item, "all_members", where) != all_members:
                self.fail(f"{where}.all_members", f"should be {str(all_members).lower()}, as in the clauses")
            milestones = self.milestones(item.get("milestones"), clauses, horizon, where)
            tasks.append(Task(number, title, area, text, clauses, lead, responsible, all_members, milestones))
        return tuple(tasks)

    def union(self, item: dict, key: str, union: tuple[Unit, ...], where: str) -> tuple[Unit, ...]:
        """A task-level list, when given, must hold the units of the clauses' lists (in any order)."""
        if key not in item:
            return union
        given = self.unit_refs(item[key], f"{where}.{key}")
        if {u.code for u in given} != {u.code for u in union}:
            self.fail(f"{where}.{key}", f"{sorted(u.code for u in given)} is not the union of the clauses' "
                                        f"{sorted(u.code for u in union)}")
            return union
        return given

    def clauses(self, value: Any, text: str, where: str) -> tuple[Clause, ...]:
        clauses: list[Clause] = []
        position = 0
        items = self.sequence(value, f"{where}.clauses")
        if not items:
            self.fail(where, "a task needs at least one clause")
        for j, item in enumerate(items, 1):
            cwhere = f"{where} clause {j}"
            item = self.mapping(item, cwhere)
            clause = Clause(self.text(item, "text", cwhere),
                            self.unit_refs(item.get("lead"), f"{cwhere}.lead"),
                            self.unit_refs(item.get("responsible"), f"{cwhere}.responsible"),
                            self.flag(item, "all_members", cwhere),
                            self.text(item, "attribution", cwhere, required=False))
            both = {u.code for u in clause.lead} & {u.code for u in clause.responsible}
            if both:
                self.fail(cwhere, f"{sorted(both)} both lead and responsible")
            if not clause.units and not clause.all_members:
                self.fail(cwhere, "names no unit and is not all_members")
            if clause.attribution:
                self.check_attribution(clause, cwhere)
            needle = clause.text + (f"（{clause.attribution}）" if clause.attribution else "")
            found = text.find(needle, position) if clause.text else -1
            if found < 0:
                self.fail(cwhere, "text (with its parenthesis) does not occur in the task text after the "
                                  "previous clause")
            else:
                position = found + len(needle)
            clauses.append(clause)
        if clauses and all(c.attribution for c in clauses):
            pattern = "".join(re.escape(f"{c.text}（{c.attribution}）") + "[。；]?" for c in clauses)
            if not re.fullmatch(pattern, text):
                self.fail(where, "the clauses with their parentheses do not make up the whole task text")
        return tuple(clauses)

    def check_attribution(self, clause: Clause, where: str) -> None:
        """The printed parenthesis must name exactly the clause's units, in their roles."""
        lead: list[str] = []
        responsible: list[str] = []
        all_members = False
        for group in clause.attribution.split("，"):
            if group == ALL_MEMBERS:
                all_members = True
                continue
            role = "responsible"
            for word, word_role in ROLE_WORDS.items():
                if group.endswith(word):
                    group, role = group[: -len(word)], word_role
                    break
            for name in group.split("、"):
                code = self.names.get(name)
                if code is None or code not in self.units:
                    self.fail(where, f"the attribution names {name!r}, which is not a declared unit")
                elif role == "lead":
                    lead.append(code)
                else:
                    responsible.append(code)
        if lead != [u.code for u in clause.lead]:
            self.fail(where, f"lead {[u.code for u in clause.lead]} but the attribution says {lead}")
        if responsible != [u.code for u in clause.responsible]:
            self.fail(where, f"responsible {[u.code for u in clause.responsible]} but the attribution says "
                             f"{responsible}")
        if all_members != clause.all_members:
            self.fail(where, f"all_members is {str(clause.all_members).lower()} but the attribution "
                             f"{'says' if all_members else 'does not say'} {ALL_MEMBERS}")

    def milestones(self, value: Any, clauses: tuple[Clause, ...], horizon: date,
                   where: str) -> tuple[Milestone, ...]:
        milestones: list[Milestone] = []
        items = self.sequence(value, f"{where}.milestones")
        if not items:
            self.fail(where, "a task needs at least one milestone (implied: true when the text sets no date)")
        for j, item in enumerate(items, 1):
            mwhere = f"{where} milestone {j}"
            item = self.mapping(item, mwhere)
            due = self.day(item, "due", mwhere)
            mtext = self.text(item, "text", mwhere)
            implied = self.flag(item, "implied", mwhere)
            if due is None:
                continue
            if due > horizon:
                self.fail(mwhere, f"due {due} is after the plan's horizon {horizon}")
            clause = None
            if implied:
                if due != horizon:
                    self.fail(mwhere, f"an implied milestone is due on the horizon {horizon}, not {due}")
            else:
                holders = [k for k, c in enumerate(clauses, 1) if mtext and mtext in c.text]
                if len(holders) != 1:
                    self.fail(mwhere, "text must occur in exactly one clause of the task, found in "
                                      f"{len(holders)}")
                else:
                    clause = holders[0]
                year = _YEAR_RE.search(mtext)
                if year and int(year.group(1)) != due.year:
                    self.fail(mwhere, f"the text says {year.group(0)} but due is {due}")
            milestones.append(Milestone(due, mtext, implied, clause))
        implied_count = sum(m.implied for m in milestones)
        if implied_count and implied_count < len(milestones):
            self.fail(where, "has dated milestones and an implied one; implied is only for undated tasks")
        if implied_count > 1:
            self.fail(where, "more than one implied milestone")
        return tuple(milestones)

    def task_force(self, value: Any) -> TaskForce | None:
        if value is None:
            return None
        data = self.mapping(value, "task_force")
        members = self.unit_refs(data.get("members"), "task_force.members")
        members_text = self.text(data, "members_text", "task_force", required=False)
        if members_text:
            printed = [self.names.get(name, f"?{name}") for name in members_text.split("、")]
            if printed != [u.code for u in members]:
                self.fail("task_force.members_text",
                          f"names {printed}, members are {[u.code for u in members]}")
        office = self.mapping(data.get("office", {}), "task_force.office")
        seat = None
        if "seat" in office:
            seats = self.unit_refs([office["seat"]], "task_force.office.seat")
            seat = seats[0] if seats else None
        liaison = self.mapping(data.get("liaison", {}), "task_force.liaison")
        duties = self.mapping(data.get("duties", {}), "task_force.duties")

        def lines(key: str) -> tuple[str, ...]:
            return tuple(clean_text(str(x)) for x in
                         self.sequence(duties.get(key), f"task_force.duties.{key}", required=False))

        return TaskForce(
            name=self.text(data, "name", "task_force"), members=members,
            leader=self.text(data, "leader", "task_force", required=False),
            deputy_leaders=tuple(clean_text(str(x)) for x in self.sequence(
                data.get("deputy_leaders"), "task_force.deputy_leaders", required=False)),
            members_text=members_text,
            office=Office(seat, self.text(office, "director", "task_force.office", required=False),
                          self.text(office, "text", "task_force.office", required=False)),
            liaison=Liaison(self.integer(liaison, "per_unit", "task_force.liaison", required=False),
                            self.text(liaison, "text", "task_force.liaison", required=False)),
            duties=Duties(lines("task_force"), lines("office"), lines("liaison")))

    def mechanisms(self, value: Any) -> tuple[Mechanism, ...]:
        mechanisms: list[Mechanism] = []
        for i, item in enumerate(self.sequence(value, "mechanisms", required=False)):
            where = f"mechanisms[{i}]"
            item = self.mapping(item, where)
            code = self.code(item, where)
            if code and any(m.code == code for m in mechanisms):
                self.fail(where, f"code {code!r} used twice")
            mechanisms.append(Mechanism(code, self.text(item, "name", where), self.text(item, "text", where)))
        return tuple(mechanisms)

    def requirements(self, value: Any) -> tuple[Requirement, ...]:
        requirements: list[Requirement] = []
        codes: set[str] = set()
        for i, item in enumerate(self.sequence(value, "requirements", required=False)):
            where = f"requirements[{i}]"
            item = self.mapping(item, where)
            number = self.integer(item, "number", where)
            if number is not None and number != i + 1:
                self.fail(where, f"requirements are numbered 1, 2, … in order; found {number}")
            text = self.text(item, "text", where)
            provisions = []
            given = self.sequence(item.get("provisions"), f"{where}.provisions", required=False)
            for j, p in enumerate(given):
                pwhere = f"{where}.provisions[{j}]"
                p = self.mapping(p, pwhere)
                provision = Provision(self.code(p, pwhere), self.text(p, "name", pwhere),
                                      self.text(p, "text", pwhere))
                if provision.code in codes:
                    self.fail(pwhere, f"code {provision.code!r} used twice")
                codes.add(provision.code)
                if provision.text and provision.text not in text:
                    self.fail(pwhere, "text does not occur in the requirement's text")
                provisions.append(provision)
            requirements.append(Requirement(number or 0, self.text(item, "title", where), text,
                                            tuple(provisions)))
        return tuple(requirements)
