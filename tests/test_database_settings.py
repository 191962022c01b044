"""PostgreSQL keeps the plans of the queries a connection repeats, unless told not to."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from organisatrice.orders.models import Order

ROOT = Path(__file__).resolve().parent.parent


def database_options(**environment: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.local", **environment})
    script = "import json, django; django.setup(); from django.conf import settings; "
    script += "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(result.stdout)


def test_postgresql_binds_on_the_server_and_prepares_repeated_queries():
    options = database_options(DATABASE_URL="postgres://app@db.example:5432/organisatrice")
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5


def test_prepared_statements_can_be_turned_off_for_a_pooler():
    options = database_options(
        DATABASE_URL="postgres://app@db.example:5432/organisatrice", POSTGRES_PREPARED_STATEMENTS="false"
    )
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options


def test_sqlite_has_no_such_options():
    options = database_options(DATABASE_URL="sqlite:///:memory:")
    assert "server_side_binding" not in options


@pytest.mark.django_db
def test_a_query_repeated_on_a_connection_is_prepared():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        before = cursor.fetchone()[0]
    for _ in range(6):
        list(Order.objects.filter(number="2026-99999", title__icontains="prepared"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert len(statements) > before
    assert any('"orders_order"."title"' in statement and "$2" in statement for statement in statements)
