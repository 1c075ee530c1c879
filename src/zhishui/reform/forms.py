"""Forms of the reform pages. They render labelled fields; the checks are the services' (one set of rules
for the pages, the API and the command line), whose field errors are put back beside the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import evidence
from .models import Status


class DateInput(forms.DateInput):
    input_type = "date"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _date(label, **kw):
    return forms.CharField(label=label, required=False, widget=DateInput(), **kw)


def _text(label, rows=4, **kw):
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kw)


def _units(label):
    return forms.MultipleChoiceField(label=label, required=False, widget=forms.CheckboxSelectMultiple)


def unit_choices(plan):
    return [(str(u.pk), u.short) for u in plan.units.filter(member=True)]


class ReportForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    narrative = _text(_("Progress narrative"), 5)
    reported_on = _date(_("Report date"))
    evidence = forms.FileField(
        label=_("Evidence files"), required=False,
        help_text=_("PDF, OFD, Word, Excel, PowerPoint, PNG or JPEG; at most 20 MB each, 10 files."),
        widget=MultipleFileInput(attrs={"accept": evidence.ACCEPT}))


class ReviewForm(forms.Form):
    review_comment = _text(_("Review comment (required when returning)"), 3)


class NoticeForm(forms.Form):
    text = _text(_("Requirements"), 4)
    reply_due = _date(_("Reply due"))


class MeetingForm(forms.Form):
    presided_by = forms.ChoiceField(label=_("Convened by (deputy leader)"))
    held_on = _date(_("Meeting date"))
    title = forms.CharField(label=_("Title (optional)"), required=False, max_length=200)
    place = forms.CharField(label=_("Place"), required=False, max_length=100)
    attendees = _units(_("Attending units"))
    other_attendees = forms.CharField(label=_("Other attendees"), required=False, max_length=300)
    minutes_number = forms.CharField(label=_("Minutes number"), required=False, max_length=60)
    minutes = _text(_("Minutes"), 8)


class DecisionForm(forms.Form):
    text = _text(_("Decision"), 3)
    due_on = _date(_("Due date"))
    units = _units(_("Owner units (the first ticked leads)"))


class ConsultationForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), required=False, max_length=200)
    held_on = _date(_("Date"))
    units = _units(_("Units consulted"))
    positions = _text(_("Positions of the units"), 4)


class SettleForm(forms.Form):
    outcome = _text(_("Outcome"), 3)
    meeting = forms.ChoiceField(label=_("Escalate to meeting"), required=False)


class ResearchForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    conducted_on = _date(_("Date"))
    units = _units(_("Units visited"))
    findings = _text(_("Findings"), 5)
    demands = _text(_("Taxpayers' demands and suggestions"), 4)


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Measure"), required=False, max_length=200)
    text = _text(_("Content and division of work"), 4)
    area = forms.ChoiceField(label=_("Area"), required=False)
    units = _units(_("Responsible units"))
    due_on = _date(_("Due date"))


class DecideForm(forms.Form):
    meeting = forms.ChoiceField(label=_("Approved at meeting"), required=False)
    decision_note = _text(_("Note (required when rejecting)"), 2)


class LiaisonForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"))
    user = forms.ChoiceField(label=_("Liaison"))
    since = _date(_("Since"))
