"""Filing pages in the shell's navigation, and the to-do figure on the taxpayer's home page."""

from django.utils.translation import gettext_lazy as _

from zhishui.web.nav import NavItem, Widget, register_nav, register_widget


def _todo_count(request):
    from . import followup, services

    tid = request.user.taxpayer_id
    return len(followup.todo(tid, services.today())) if tid else 0


def register() -> None:
    register_nav(NavItem("my_filing", _("My returns"), "filing_home", ("file_returns",), order=250))
    register_nav(NavItem("filing_status", _("Filing status"), "filing_status", ("view_filing_status",), order=300))
    register_nav(NavItem("filing_abnormal", _("Abnormal-household candidates"), "filing_abnormal",
                         ("view_filing_status",), order=310))
    register_nav(NavItem("filing_jobs", _("Batch pre-fill"), "filing_jobs", ("view_filing_status",), order=320))
    register_nav(NavItem("filing_calendar", _("Filing calendar"), "filing_calendar",
                         ("file_returns", "view_filing_status"), order=330))
    register_widget(Widget("filing_todo", _("Returns and taxes to do"), ("file_returns",), _todo_count,
                           "filing_home", order=200))
