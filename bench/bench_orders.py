"""Order pages at 100,000 orders: the list, searches, "my orders", a late page and an order's detail.

Each request goes through django.test.Client, the whole middleware stack included, as the
dispatcher (who sees every order). The database is seeded once with `demo_seed` and kept
between runs; BENCH_QUICK=1 measures 5,000 orders instead.
"""

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import django
from tqdm import tqdm

from bench.common import Result, database_label, result_from_samples, timed

DATABASES = ["sqlite", "postgresql"]
QUICK = os.environ.get("BENCH_QUICK") == "1"
ORDERS = 5_000 if QUICK else 100_000
REPEAT = 10 if QUICK else 40
SEED = 2026


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from organisatrice.clients.models import Contact
    from organisatrice.devtools.demo import demo_seed
    from organisatrice.orders.models import Order
    from organisatrice.orders.search import search_normalise
    from organisatrice.orders.views import ORDERS_PER_PAGE

    call_command("migrate", verbosity=0)
    existing = Order.objects.count()
    if existing < ORDERS:
        started = time.perf_counter()
        with tqdm(total=ORDERS - existing, unit=" orders", file=sys.stderr, desc="seeding") as bar:
            demo_seed(orders=ORDERS - existing, seed=SEED, on_progress=bar.update)
        seconds = time.perf_counter() - started
        emit(
            result_from_samples(
                bench="orders",
                case="seed_demo",
                samples=[seconds * 1000],
                extra={"orders_added": ORDERS - existing, "orders_per_s": round((ORDERS - existing) / seconds)},
            )
        )
        if connection.vendor == "postgresql":
            # What autovacuum does shortly after a bulk load: statistics for the planner
            # and a visibility map for index-only scans.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")

    total = Order.objects.count()
    dispatcher, technician = Client(), Client()
    dispatcher.force_login(get_user_model().objects.get(username="dispatcher"))
    # "My orders" as a technician responsible for some of them (the dispatcher is for none).
    technician.force_login(get_user_model().objects.get(username="tech1"))

    middle = Order.objects.order_by("number").select_related("client")[total // 2]
    client_term = max(middle.client.name.replace("(", " ").replace(")", " ").split(), key=len)
    with_documents = (
        Order.objects.filter(work_reports__isnull=False, photos__isnull=False, offers__isnull=False)
        .order_by("-number")
        .first()
    )
    assert with_documents is not None, "the demo data has no order with documents"
    # A contact's name, typed without its accents (the search ignores them and reads contacts).
    contact_term = search_normalise(
        Contact.objects.filter(client=middle.client).values_list("last_name", flat=True).first() or client_term
    )
    last_page = (total + ORDERS_PER_PAGE - 1) // ORDERS_PER_PAGE
    order_list = reverse("orders:list")
    cases: list[tuple[str, str, dict[str, str | int], dict[str, Any]]] = [
        ("list_first_page", order_list, {}, {}),
        ("list_search_client", order_list, {"q": client_term}, {"term": client_term}),
        ("list_search_number", order_list, {"q": middle.number}, {"term": middle.number}),
        ("list_late_page", order_list, {"page": last_page}, {"page": last_page}),
        ("list_search_contact", order_list, {"q": contact_term}, {"term": contact_term}),
        # Two letters: no trigram index serves them, every order's words are read.
        ("list_search_two_letters", order_list, {"q": "de"}, {"term": "de"}),
        ("list_mine", order_list, {"mine": 1}, {"user": "tech1"}),
        ("detail_with_documents", reverse("orders:detail", args=[with_documents.pk]), {}, {}),
    ]
    for case, url, params, extra in cases:
        queries = 0

        def count(execute: Callable[..., Any], sql: str, params_: Any, many: bool, context: dict[str, Any]) -> Any:
            nonlocal queries
            queries += 1
            return execute(sql, params_, many, context)

        client = technician if extra.get("user") == "tech1" else dispatcher
        # Counted by a wrapper: the request_started signal empties connection.queries.
        with connection.execute_wrapper(count):
            response = client.get(url, params)
        assert response.status_code == 200, (case, response.status_code)
        if case == "list_search_number":
            assert middle.number in response.content.decode(), "the searched order is not listed"

        def request(url: str = url, params: dict[str, str | int] = params, client: Client = client) -> None:
            assert client.get(url, params).status_code == 200

        samples = timed(request, repeat=REPEAT)
        extra = {**extra, "orders": total, "queries": queries}
        emit(result_from_samples(bench="orders", case=case, samples=samples, extra=extra))


def emit(result: Result) -> None:
    print("RESULT " + json.dumps(result.as_dict()), flush=True)


if __name__ == "__main__":
    print(f"bench_orders on {database_label()}", flush=True)
    main()
