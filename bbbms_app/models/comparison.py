"""How Alembic compares the database with the models: one set of options for `alembic/env.py`
(autogenerate) and the tests that prove the history leaves nothing to generate.

Types and server defaults are compared. A default is compared by its value, not its spelling:
SQLite reflects `DEFAULT ''` as `''` or `('')`, PostgreSQL as `''::character varying`, and the
model renders `''`; all three are the empty string. A `DEFAULT NULL` (mark.percent's) is no default.
"""

from __future__ import annotations

import re
from typing import Any

from bbbms_app.models import search_index

_CAST = re.compile(r"::[\w\s\"]+(\(\d+\))?$")


def default_value(sql: str | None) -> str | None:
    """A server default's SQL as its plain value: `('')` → "", `'1'::integer` → "1", None → None.
    `DEFAULT NULL` is no default (PostgreSQL keeps none; SQLite reflects `NULL`): None."""
    if sql is None:
        return None
    text = sql.strip()
    while True:
        before = text
        text = _CAST.sub("", text).strip()
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1].strip()
        if text.upper() == "NULL":  # the keyword, not the text 'NULL' (quoted: unquoted below)
            return None
        if len(text) >= 2 and text[0] == text[-1] == "'":
            return text[1:-1].replace("''", "'")
        if text == before:
            return text


def compare_server_default(
    _context: Any, _inspected: Any, _metadata: Any, inspected: str | None, _default: Any, rendered: str | None
) -> bool | None:
    """Alembic's hook: True when the database's default differs from the model's."""
    return default_value(inspected) != default_value(rendered)


def options(dialect_name: str) -> dict[str, Any]:
    """`MigrationContext.configure(opts=…)` / `context.configure(**…)` for a database of this dialect."""
    return {
        "compare_type": True,
        "compare_server_default": compare_server_default,
        # FTS5 tables and indexes of the other dialect are not for autogenerate (models/search_index.py).
        "include_object": search_index.comparison_filter(dialect_name),
    }
