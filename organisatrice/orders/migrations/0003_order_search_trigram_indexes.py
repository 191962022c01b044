"""Trigram indexes for the order list's search, on PostgreSQL only.

The search looks for a term anywhere in the number and the title (`icontains`, which
PostgreSQL runs as `UPPER(column::text) LIKE UPPER('%term%')`). A B-tree index cannot
serve that; a GIN index with pg_trgm on the same expression can. SQLite has no such
index: there the operation does nothing and the search scans the orders.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

TRIGRAM_INDEXES = {
    "orders_order_number_trgm": "number",
    "orders_order_title_trgm": "title",
}


def create_trigram_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        # A savepoint, so that a refusal leaves the migration's transaction usable.
        with transaction.atomic(using=connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        # pg_trgm is a trusted extension since PostgreSQL 13, so the database owner may
        # create it; a role without that right still gets a working, slower, search.
        logger.warning("pg_trgm unavailable (%s): the order search will scan the orders.", error)
        return
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON orders_order USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_orderevent_email_workreport_reported_email"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
