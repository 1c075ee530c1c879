"""The few SQL expressions that differ between SQLite and PostgreSQL, for the hand-written aggregations."""

from __future__ import annotations

from django.db import connection


class Dialect:
    def __init__(self):
        self.pg = connection.vendor == "postgresql"

    def fen_sum(self, col: str) -> str:
        # SQLite keeps decimals as doubles: each amount becomes whole fen before summing, so sums are exact.
        return f"(SUM({col}) * 100)::bigint" if self.pg else f"SUM(CAST(round({col} * 100) AS INTEGER))"

    def basis_points(self, col: str) -> str:
        return f"({col} * 10000)::integer" if self.pg else f"CAST(round({col} * 10000) AS INTEGER)"

    def month_of(self, col: str) -> str:
        """YYYY-MM of a date column."""
        return f"to_char({col}, 'YYYY-MM')" if self.pg else f"substr({col}, 1, 7)"

    @property
    def table_scan(self) -> str:
        """After a table name: read the table through, not an index of it (SQLite's planner would otherwise
        walk an index of the invoices in taxpayer order, fetching the rows at random)."""
        return "" if self.pg else " NOT INDEXED"

    def numbers(self, col: str) -> str:
        """The distinct values of ``col`` in a group, comma-separated."""
        return f"string_agg(DISTINCT {col}, ',')" if self.pg else f"group_concat(DISTINCT {col})"
