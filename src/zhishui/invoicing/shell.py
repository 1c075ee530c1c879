"""Invoicing's entries in the web shell: navigation per role and home-page figures."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhishui.web.nav import NavItem, Widget, register_nav, register_widget


def _issued_this_month(request):
    from .models import Invoice

    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return Invoice.objects.filter(seller_id=request.user.taxpayer_id, issued_at__gte=start).count()


def _to_confirm(request):
    from .models import Invoice, InvoiceState

    return Invoice.objects.filter(buyer_id=request.user.taxpayer_id, kind=Invoice.SPECIAL, colour=Invoice.BLUE,
                                  state__usage="").exclude(state__status=InvoiceState.RED_REVERSED).count()


def _pending_red(request):
    from django.db.models import Q

    from .models import RedLetterRequest

    me = request.user.taxpayer_id
    return (RedLetterRequest.objects.filter(status=RedLetterRequest.PENDING, expires_at__gt=timezone.now())
            .filter(Q(seller_id=me) | Q(buyer_id=me)).exclude(raised_by_party=RedLetterRequest.SELLER, seller_id=me)
            .exclude(raised_by_party=RedLetterRequest.BUYER, buyer_id=me).count())


def _issued_today(request):
    from .models import Invoice

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return Invoice.objects.filter(issued_at__gte=start).count()


def register() -> None:
    register_nav(NavItem("invoice_issue", _("Issue an invoice"), "invoicing:issue", ("issue_invoices",), order=200))
    register_nav(NavItem("invoices_issued", _("Issued invoices"), "invoicing:issued", ("issue_invoices",), order=210))
    register_nav(NavItem("invoice_inbox", _("Tax digital account"), "invoicing:inbox", ("issue_invoices",),
                         order=220))
    register_nav(NavItem("red_letter", _("Red-letter forms"), "invoicing:red_list", ("issue_invoices",), order=230))
    register_nav(NavItem("my_credit_line", _("Invoice credit line"), "invoicing:my_credit", ("issue_invoices",),
                         order=240))
    register_nav(NavItem("credit_lines", _("Invoice credit lines"), "invoicing:credit_lines",
                         ("manage_credit_lines",), order=400))
    register_nav(NavItem("invoice_monitor", _("Invoicing monitor"), "invoicing:monitor", ("monitor_invoicing",),
                         order=410))
    register_widget(Widget("invoices_issued_month", _("Invoices issued this month"), ("issue_invoices",),
                           _issued_this_month, "invoicing:issued", order=200))
    register_widget(Widget("invoices_to_confirm", _("Special invoices awaiting usage confirmation"),
                           ("issue_invoices",), _to_confirm, "invoicing:inbox", order=210))
    register_widget(Widget("red_forms_to_answer", _("Red-letter forms awaiting your confirmation"),
                           ("issue_invoices",), _pending_red, "invoicing:red_list", order=220))
    register_widget(Widget("invoices_today", _("Invoices issued today (district)"), ("monitor_invoicing",),
                           _issued_today, "invoicing:monitor", order=400))
