"""The reform task force's records: the plan loaded into the database, who answers for what, and the
reports, evidence, reminders, notices, meetings, consultations and research that drive it.

The unit of supervision is an ``Assignment``: one member unit's share of one ``Deliverable`` (a dated
milestone of a plan task, a decision of a meeting, or the deliverable of a measure adopted after
research). Liaisons report on assignments; the office reviews the reports; reminders, escalation and
supervision notices are about assignments. Writes go through ``reform.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    AT_RISK = "at_risk", _("at risk")


class ReformPlan(models.Model):
    """A district's work plan as loaded from ``plans/<code>.yaml`` by ``zhishui reform load-plan``."""

    district_code = models.CharField(_("district code"), max_length=6, unique=True)
    district_name = models.CharField(_("district"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("document number"), max_length=60)
    issuer = models.CharField(_("issuer"), max_length=100)
    task_force_name = models.CharField(_("task force"), max_length=100, blank=True)
    leader = models.CharField(_("leader"), max_length=100, blank=True)
    deputy_leaders = models.JSONField(default=list, blank=True)
    office_seat = models.CharField(_("office seat"), max_length=60, blank=True)
    horizon = models.DateField(_("horizon"))
    start_on = models.DateField(_("start"))
    established_on = models.DateField(_("task force established"))
    source_sm3 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("reform plan")

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"


class Area(models.Model):
    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="areas")
    number = models.PositiveSmallIntegerField(_("number"))
    numeral = models.CharField(max_length=4, blank=True)
    title = models.CharField(_("title"), max_length=100)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="reform_area_unique")]

    def __str__(self) -> str:
        return f"（{self.numeral}）{self.title}" if self.numeral else self.title


class Unit(models.Model):
    """A department named by the plan (成员单位)."""

    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="units")
    code = models.CharField(_("code"), max_length=40)
    short = models.CharField(_("short name"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    member = models.BooleanField(_("task-force member"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="reform_unit_unique")]

    def __str__(self) -> str:
        return self.short


class Task(models.Model):
    class Origin(models.TextChoices):
        PLAN = "plan", _("work plan")
        RESEARCH = "research", _("adopted after research")

    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("number"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    clauses = models.JSONField(default=list, blank=True)
    all_members = models.BooleanField(_("all members co-operate"), default=False)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.PLAN)
    start_on = models.DateField(_("start"))
    units = models.ManyToManyField(Unit, through="TaskUnit", related_name="tasks")

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="reform_task_unique")]

    def __str__(self) -> str:
        return f"{self.number}.{self.title}"


class Role(models.TextChoices):
    LEAD = "lead", _("lead")
    RESPONSIBLE = "responsible", _("responsible")


class TaskUnit(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="task_units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="task_units")
    role = models.CharField(max_length=12, choices=Role.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["task", "position"]
        constraints = [models.UniqueConstraint(fields=["task", "unit", "role"], name="reform_taskunit_unique")]

    def __str__(self) -> str:
        return f"{self.task_id}:{self.unit_id}:{self.role}"


class Meeting(models.Model):
    """A task-force meeting (工作专班会议): convened by a deputy leader, minuted, with binding decisions."""

    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="meetings")
    seq = models.PositiveSmallIntegerField(_("sequence"))
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    presided_by = models.CharField(_("convened by (deputy leader)"), max_length=100)
    convener = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("recorded by"))
    attendees = models.ManyToManyField(Unit, related_name="meetings", verbose_name=_("attending units"))
    other_attendees = models.CharField(_("other attendees"), max_length=300, blank=True)
    minutes_number = models.CharField(_("minutes number"), max_length=60, blank=True)
    minutes = models.TextField(_("minutes"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "-held_on", "-seq"]
        constraints = [models.UniqueConstraint(fields=["plan", "seq"], name="reform_meeting_unique")]

    def __str__(self) -> str:
        return self.title


class Deliverable(models.Model):
    """Something due on a date: a plan milestone, a meeting decision (议定事项) or an adopted measure."""

    class Kind(models.TextChoices):
        MILESTONE = "milestone", _("milestone")
        DECISION = "decision", _("meeting decision")

    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="deliverables")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, blank=True, related_name="deliverables")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="decisions")
    key = models.CharField(max_length=20, blank=True)  # position within the task (m1, m2 …) or meeting (d1 …)
    text = models.TextField(_("deliverable"))
    start_on = models.DateField(_("start"))
    due_on = models.DateField(_("due"), db_index=True)
    implied = models.BooleanField(default=False)  # the task sets no date: due at the plan's horizon
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "key"], condition=Q(task__isnull=False),
                                    name="reform_deliverable_task_key"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("start_on")), name="reform_due_after_start"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def source_label(self) -> str:
        if self.meeting_id:
            return str(self.meeting)
        return str(self.task) if self.task_id else ""


class Assignment(models.Model):
    """One unit's share of a deliverable: what supervision, reports and reminders are about."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    last_reported_on = models.DateField(null=True, blank=True)
    pending_review = models.BooleanField(default=False)

    class Meta:
        ordering = ["deliverable__due_on", "deliverable_id", "id"]
        constraints = [models.UniqueConstraint(fields=["deliverable", "unit"], name="reform_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.unit.short}：{self.deliverable}"

    @property
    def is_done(self) -> bool:
        return self.status == Status.DONE

    def overdue_on(self, today) -> bool:
        return not self.is_done and self.deliverable.due_on < today


class Liaison(models.Model):
    """A member unit's liaison (联络员), who also belongs to the task-force office. One active per unit."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="liaisons")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reform_liaisons")
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["unit", "-since"]
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(until__isnull=True),
                                    name="reform_one_active_liaison_per_unit"),
            models.UniqueConstraint(fields=["user"], condition=Q(until__isnull=True),
                                    name="reform_one_active_unit_per_liaison"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.user_id}"


class FrozenQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("reform reports and evidence are never changed; submit a new report")

    def delete(self):
        raise PermissionError("reform reports and evidence are never deleted")


class Report(models.Model):
    """A liaison's progress report on an assignment. Never edited: only the office's review is added."""

    class Review(models.TextChoices):
        PENDING = "pending", _("awaiting review")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    REVIEW_FIELDS = frozenset({"review", "reviewed_by", "reviewed_at", "review_comment"})

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    narrative = models.TextField(_("narrative"))
    reported_on = models.DateField(_("date"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    objects = FrozenQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"report {self.pk} on item {self.assignment_id}"


    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = set(kwargs.get("update_fields") or ())
            if not fields or not fields <= self.REVIEW_FIELDS:
                raise PermissionError("a submitted report is never changed; only its review is recorded")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("reform reports are never deleted")


class Evidence(models.Model):
    """A supporting file (佐证材料): stored outside the web root under a random name, SM3-hashed, immutable."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="evidence")
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sm3 = models.CharField("SM3", max_length=64)
    stored_name = models.CharField(max_length=80, unique=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = FrozenQuerySet.as_manager()

    class Meta:
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.original_name


    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("evidence is never overwritten")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("evidence is never deleted")


class Reminder(models.Model):
    """A reminder or escalation sent for an assignment; unique per (assignment, kind, days) so a run
    of ``zhishui reform remind`` never sends the same one twice."""

    class Kind(models.TextChoices):
        DUE = "due", _("coming due")
        OVERDUE = "overdue", _("overdue, escalated")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    days = models.IntegerField()  # days before the due date (0 for an escalation)
    sent_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["assignment", "kind", "days"], name="reform_reminder_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.days} for item {self.assignment_id}"


class Notification(models.Model):
    """An in-app message (站内提醒) to one user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reform_notes")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class SupervisionNotice(models.Model):
    """A formal supervision notice (督办通知) to a unit about an assignment, with a reply deadline."""

    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="notices")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="notices")
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    number = models.CharField(_("number"), max_length=60)
    text = models.TextField(_("requirements"))
    reply_due = models.DateField(_("reply due"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    issued_on = models.DateField()
    answered_by = models.ForeignKey(Report, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan", "year", "seq"], name="reform_notice_number")]

    def __str__(self) -> str:
        return self.number


class Consultation(models.Model):
    """A consultation (会商) between member units and the office; disagreements go to a meeting."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")
        ESCALATED = "escalated", _("escalated to a meeting")

    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="consultations")
    topic = models.CharField(_("topic"), max_length=200)
    units = models.ManyToManyField(Unit, related_name="consultations", verbose_name=_("units"))
    positions = models.TextField(_("positions of the units"))
    held_on = models.DateField(_("held on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="consultations")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.topic


class Research(models.Model):
    """Field research (专题调研) by the office: at least one each half-year."""

    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="research")
    title = models.CharField(_("title"), max_length=200)
    conducted_on = models.DateField(_("conducted on"))
    units = models.ManyToManyField(Unit, related_name="research", verbose_name=_("units visited"))
    findings = models.TextField(_("findings"))
    demands = models.TextField(_("taxpayers' demands"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-conducted_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Proposal(models.Model):
    """A new measure proposed from research; becomes a task once the task force approves it."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    research = models.ForeignKey(Research, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("measure"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    units = models.ManyToManyField(Unit, related_name="proposals", verbose_name=_("responsible units"))
    due_on = models.DateField(_("due"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("approved at meeting"))
    decision_note = models.TextField(_("note"), blank=True)
    task = models.OneToOneField(Task, on_delete=models.PROTECT, null=True, blank=True, related_name="proposal")

    class Meta:
        ordering = ["research", "id"]

    def __str__(self) -> str:
        return self.title


class Bulletin(models.Model):
    """A progress report sent upward to the district committee and government (定期汇报), as issued."""

    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="bulletins")
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    number = models.CharField(_("number"), max_length=60)
    as_of = models.DateField(_("as of"))
    fmt = models.CharField(_("format"), max_length=5)
    sm3 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan", "year", "seq"], name="reform_bulletin_number")]

    def __str__(self) -> str:
        return self.number

