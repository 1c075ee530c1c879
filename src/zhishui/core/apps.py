from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhishui.core"
    label = "core"
    verbose_name = _("Core")
    reform_tasks = {
        3: _("Big-data security: three separated administrators, SM4-encrypted personal data, audit chain"),
        11: _("Internal control: tamper-evident audit trail of every significant act and access"),
    }

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import roles, shell, signals  # noqa: F401 - signals connects the auth receivers

        shell.register()
        post_migrate.connect(roles.ensure_roles_after_migrate, sender=self)
