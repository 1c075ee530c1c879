"""Password complexity (MLPS level 3): at least three of four character classes."""

from __future__ import annotations

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ComplexityValidator:
    def validate(self, password: str, user=None) -> None:
        if not settings.ZHISHUI_PASSWORD_COMPLEXITY:
            return
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _("The password must contain at least three of: lower-case letters, upper-case letters, "
                  "digits and symbols."), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("Use at least three of: lower-case letters, upper-case letters, digits and symbols.")
