"""The order search ignores accents and looks at contacts too (see orders/search.py).

`search_text` holds each order's words, normalised; it is filled here for the orders
already there. The search reads only that column now, so the indexes of 0003 (trigrams of
the number and the title, PostgreSQL) and 0004 (title and number, SQLite) give way to:
- PostgreSQL: a trigram index on `search_text` (pg_trgm, created by 0003 where allowed);
- SQLite: an index that holds just `search_text` and the number, scanned in place of the
  table, which is several times wider.
"""

from django.db import migrations, models

OLD_TRIGRAM_INDEXES = {"orders_order_number_trgm": "UPPER(number)", "orders_order_title_trgm": "UPPER(title)"}
TRIGRAM_INDEX = "orders_order_search_trgm"
SQLITE_SCAN_INDEX_OLD = "orders_order_title_number_scan"
SQLITE_SCAN_INDEX = "orders_order_search_scan"


def _has_trigrams(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def forwards(apps, schema_editor):
    from organisatrice.orders.services import order_search_text_refresh

    # The service reads and writes only columns that exist from this migration on.
    order_search_text_refresh(order_ids=apps.get_model("orders", "Order").objects.values_list("pk", flat=True))
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        if _has_trigrams(schema_editor):
            # Without pg_trgm (0003 logs why) the search scans search_text: slower, still right.
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON orders_order USING gin (search_text gin_trgm_ops)"
            )
        for name in OLD_TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    elif vendor == "sqlite":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {SQLITE_SCAN_INDEX} ON orders_order (search_text, number)")
        schema_editor.execute(f"DROP INDEX IF EXISTS {SQLITE_SCAN_INDEX_OLD}")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
        if _has_trigrams(schema_editor):
            for name, expression in OLD_TRIGRAM_INDEXES.items():
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON orders_order USING gin ({expression} gin_trgm_ops)"
                )
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SQLITE_SCAN_INDEX}")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {SQLITE_SCAN_INDEX_OLD} ON orders_order (title, number)")


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_orderreadytobill"),
        ("clients", "0002_names_single_line"),
        ("people", "0003_names_single_line"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="texte de recherche"),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
