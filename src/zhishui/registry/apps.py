from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "zhishui.registry"
    label = "registry"
    verbose_name = _("Taxpayer registry and data exchange")
    reform_tasks = {
        1: _("一户式 and 一人式 profiles: every department's facts about a taxpayer or a person on one page"),
        3: _("Data exchange: department feeds loaded, checked and versioned; freshness, volumes and rejection "
             "rates per department; cross-feed quality findings; ID numbers and phones SM4-encrypted"),
        13: _("Shared department data replaces repeated submissions: registrations, social insurance, property, "
              "exports and invoices are taken from the feeds instead of asked from taxpayers"),
    }

    def ready(self):
        from . import shell

        shell.register()
