"""The law pages in the shell's navigation."""

from django.utils.translation import gettext_lazy as _

from zhishui.web.nav import NavItem, register_nav


def register() -> None:
    register_nav(NavItem("law_parameters", _("Tax law parameters"), "law_parameters", ("staff_portal",), order=700))
    register_nav(NavItem("calculators", _("Tax calculators"), "calculators",
                         ("staff_portal", "taxpayer_portal", "person_portal"), order=710))
