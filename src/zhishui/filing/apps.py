from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingConfig(AppConfig):
    name = "zhishui.filing"
    label = "filing"
    verbose_name = _("Returns and filing")
    default_auto_field = "django.db.models.BigAutoField"
    reform_tasks = {
        14: _("Filing and payment without visits: pre-filled returns confirmed online, payment through a bank "
              "channel, a filing calendar with reminders and to-do lists"),
        15: _("Fewer filings and less time: the integrated VAT and surcharges return and the property and "
              "behaviour taxes return, pre-filled for every taxpayer at the start of each period"),
    }

    def ready(self):
        from zhishui.demo.pipelines import PIPELINES, Pipeline

        from . import demo, shell

        shell.register()
        if not any(p.run is demo.run for p in PIPELINES):
            PIPELINES.append(Pipeline("预填申报表 / pre-filled returns", demo.run, demo.prefill_for_demo_taxpayer))
