from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReformConfig(AppConfig):
    """The reform task force (工作专班): the plan's tasks, owners and deadlines, progress reports with evidence,
    supervision, meetings, consultations and field research.

    It implements the plan's 工作要求 and its annex (the task force and its mechanisms), not one of the 27
    tasks, so it declares no ``reform_tasks``; its dashboard is where the coverage of the work is followed."""

    name = "zhishui.reform"
    label = "reform"
    verbose_name = _("Reform task force")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import shell

        shell.register()
