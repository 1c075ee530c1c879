"""The roles of DESIGN.md ("Who uses it") as Django groups with permissions.

This table is the single source: ``ensure_roles`` makes the groups match it after every
migration. A capability is a permission on ``core.User`` (see ``User.Meta.permissions``);
apps add capabilities here when they add features.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    code: str
    name_zh: str
    name_en: str
    staff: bool
    capabilities: tuple[str, ...]


# Capability codenames and their descriptions (User.Meta.permissions mirrors this list).
CAPABILITIES: dict[str, str] = {
    "staff_portal": "Use the staff workbench",
    "taxpayer_portal": "Use the taxpayer portal for the bound taxpayer",
    "person_portal": "Use the natural-person portal for oneself",
    "view_all_taxpayers": "Read every taxpayer's data",
    "view_personal_data": "See unmasked personal data after giving a reason",
    "manage_users": "Create, disable and reset user accounts",
    "manage_roles": "Assign roles and unlock accounts",
    "view_audit": "Read and verify the audit trail",
    "view_reform": "Read reform task-force progress",
    "manage_reform": "Run the reform task-force office: review reports, supervise, meetings, research",
    "report_reform": "Report reform-task progress for the department the user is liaison of",
    "file_returns": "Review, adjust, file, pay and correct the bound taxpayer's returns",
    "view_filing_status": "See filing status, non-filers, late payers and abnormal-household candidates",
    "import_feeds": "Upload department data feeds and read the data-exchange reports",
    "issue_invoices": "Issue, deliver and red-letter the bound taxpayer's e-invoices and confirm received ones",
    "manage_credit_lines": "Adjust taxpayers' invoice credit lines (发票总额度), giving a reason",
    "monitor_invoicing": "Watch invoice issuing activity live",
}

ADMIN_ROLES = ("sysadmin", "secadmin", "auditor")

ROLES: dict[str, Role] = {r.code: r for r in [
    Role("taxpayer", "纳税人", "Taxpayer", False, ("taxpayer_portal", "file_returns", "issue_invoices")),
    Role("person", "自然人", "Natural person", False, ("person_portal",)),
    Role("service", "纳税服务", "Taxpayer service", True,
         ("staff_portal", "view_all_taxpayers", "view_reform", "view_filing_status")),
    Role("collection", "征管", "Collection", True,
         ("staff_portal", "view_all_taxpayers", "view_personal_data", "view_reform", "import_feeds",
          "view_filing_status", "manage_credit_lines", "monitor_invoicing")),
    Role("risk", "风险管理", "Risk management", True,
         ("staff_portal", "view_all_taxpayers", "view_personal_data", "view_reform", "monitor_invoicing")),
    Role("inspection", "稽查", "Inspection", True,
         ("staff_portal", "view_all_taxpayers", "view_personal_data", "view_reform")),
    Role("legal", "法制", "Legal review", True, ("staff_portal", "view_all_taxpayers", "view_reform")),
    Role("audit", "督察内审", "Internal audit", True,
         ("staff_portal", "view_all_taxpayers", "view_audit", "view_reform")),
    Role("leader", "局领导", "Bureau leader", True,
         ("staff_portal", "view_all_taxpayers", "view_reform", "monitor_invoicing")),
    Role("liaison", "部门联络员", "Department liaison", True,
         ("staff_portal", "view_reform", "report_reform", "import_feeds")),
    Role("taskforce", "专班办公室", "Task-force office", True, ("staff_portal", "view_reform", "manage_reform")),
    Role("sysadmin", "系统管理员", "System administrator", True, ("staff_portal", "manage_users")),
    Role("secadmin", "安全管理员", "Security administrator", True, ("staff_portal", "manage_roles")),
    Role("auditor", "审计管理员", "Audit administrator", True, ("staff_portal", "view_audit")),
]}



def label_for(code: str, language: str) -> str:
    role = ROLES[code]
    return role.name_en if language.startswith("en") else role.name_zh


def ensure_roles(using: str = "default") -> None:
    """Make the groups and their permissions match ``ROLES`` exactly."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from .models import User

    ct = ContentType.objects.db_manager(using).get_for_model(User)
    perms = {p.codename: p for p in Permission.objects.using(using).filter(content_type=ct)}
    for role in ROLES.values():
        group, _created = Group.objects.using(using).get_or_create(name=role.code)
        wanted = [perms[c] for c in role.capabilities if c in perms]
        group.permissions.set(wanted)


def ensure_roles_after_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    from .models import User

    if User._meta.db_table in connections[using].introspection.table_names():
        ensure_roles(using)
