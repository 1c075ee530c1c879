"""Model fields of our own."""

from __future__ import annotations

from django.db import models


class JSONTextField(models.JSONField):
    """A JSONField kept on PostgreSQL as ``json`` (the text, checked on the way in) instead of ``jsonb`` (parsed
    into a binary tree on the way in). For large documents written in bulk and read whole, never queried
    inside: the district's batch pre-fill writes ~90 MB of return values, cells and traces, and turning that
    into jsonb cost PostgreSQL more CPU than the rest of the write (docs/decisions/0011). ``json`` has no
    equality operator, so such a column cannot be compared, grouped or used with DISTINCT; key lookups other
    than ``->``/``->>`` (``has_key`` and the like) are jsonb-only. SQLite stores both as text anyway."""

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, str):  # psycopg parses ``json`` itself
            return value
        return super().from_db_value(value, expression, connection)
