"""The registry's entries in the web shell: navigation and home-page figures."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhishui.web.nav import NavItem, Widget, register_nav, register_widget


def _taxpayers(request):
    from .models import TaxRegistration

    return TaxRegistration.objects.filter(state="normal").count()


def _stale_feeds(request):
    from .exchange import feed_status

    return sum(1 for f in feed_status() if f["stale"])


def _findings(request):
    from .models import QualityFinding

    return QualityFinding.objects.count()


def _rows_today(request):
    from django.db.models import Sum

    from .models import Load

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return Load.objects.filter(finished_at__gte=start).aggregate(n=Sum("rows_read"))["n"] or 0


def _recent_rejections(request):
    from .models import Load

    return Load.objects.filter(status="rejected", finished_at__gte=timezone.now() - timedelta(days=7)).count()


def register() -> None:
    register_nav(NavItem("exchange", _("Data exchange"), "registry:exchange",
                         ("import_feeds", "view_all_taxpayers", "view_reform"), order=300))
    register_nav(NavItem("exchange_upload", _("Upload department data"), "registry:upload", ("import_feeds",),
                         order=301))
    register_widget(Widget("registered_taxpayers", _("Taxpayers in normal state"), ("view_all_taxpayers",),
                           _taxpayers, "registry:exchange", order=300))
    register_widget(Widget("stale_feeds", _("Stale department feeds"), ("import_feeds", "view_all_taxpayers"),
                           _stale_feeds, "registry:exchange", order=301))
    register_widget(Widget("quality_findings", _("Data quality findings"), ("import_feeds", "view_all_taxpayers"),
                           _findings, "registry:exchange", order=302))
    register_widget(Widget("rows_loaded_today", _("Feed rows loaded today"), ("import_feeds",), _rows_today,
                           "registry:exchange", order=303))
    register_widget(Widget("rejected_files_week", _("Feed files rejected (7 days)"), ("import_feeds",),
                           _recent_rejections, "registry:exchange", order=304))
