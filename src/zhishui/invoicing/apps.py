from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "zhishui.invoicing"
    label = "invoicing"
    verbose_name = _("Electronic invoices")
    default_auto_field = "django.db.models.BigAutoField"
    reform_tasks = {
        2: _("Fully digital e-invoices (数电票) all day, free: issue, deliver to the tax digital account, "
             "usage confirmation, red-letter reversal, public verification"),
        20: _("Every invoice checked and monitored as it is issued: credit line, seller state, buyer identifier, "
              "rate against goods code; signed, chained and monitored live"),
    }

    def ready(self):
        from django.db.models.signals import post_migrate

        from zhishui.registry.profile import register_invoice_source

        from . import immutability, profile_source, shell

        shell.register()
        register_invoice_source("issued", profile_source.issued_monthly)
        post_migrate.connect(immutability.after_migrate, sender=self)
