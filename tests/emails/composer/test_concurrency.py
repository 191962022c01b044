"""Slow work stays out of transactions: while one employee's document is being rendered,
another employee's Send and the worker's delivery commit without waiting for it.

On SQLite every transaction is IMMEDIATE and holds the database's write lock, so a render
inside one would stop every other writer. The test runs real threads on a real database:
on PostgreSQL the test database (the test commits, transaction=True); on SQLite a copy of
the in-memory test database in a file, because connections to the in-memory one share a
cache whose table locks are not the file locks of production. The only thing made slow
on purpose is Typst's compile call, which waits until the test lets it go.
"""

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from organisatrice.documents import services as document_services
from organisatrice.emails.composer.drafts import email_draft_create
from organisatrice.emails.models import DraftAttachment, OutgoingEmail
from organisatrice.emails.outbox.tasks import deliver_due
from organisatrice.emails.templating.defaults import default_templates_install
from tests.factories import (
    ContactFactory,
    OfferFactory,
    OfferLineFactory,
    OrderFactory,
    WorkReportLineFactory,
    default_template,
)

pytestmark = pytest.mark.django_db(transaction=True)

# How long a Send or a delivery may take while the render is held: far below SQLite's
# 20-second busy timeout, far above what either needs.
PROMPT_SECONDS = 5.0
HOLD_LIMIT_SECONDS = 60.0


class SharedDatabase:
    """One database for the test's thread and the threads it starts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.in_memory: Any = None
        self.file_settings: dict[str, Any] | None = None

    def share(self) -> None:
        """Makes what the test wrote so far the database of every thread from now on."""
        connection.ensure_connection()
        if connection.vendor != "sqlite":
            return
        with sqlite3.connect(self.path) as target:
            connection.connection.backup(target)
        # Kept, with its open connection: closing it would drop the in-memory database
        # that the test's teardown flushes.
        self.in_memory = connections["default"]
        self.file_settings = {**connection.settings_dict, "NAME": str(self.path)}
        self.connect_this_thread()

    def connect_this_thread(self) -> None:
        if self.file_settings is not None:
            connections["default"] = type(self.in_memory)(self.file_settings, alias="default")

    def restore(self) -> None:
        if self.in_memory is not None:
            connections["default"].close()
            connections["default"] = self.in_memory


@pytest.fixture
def shared_database(transactional_db: None, tmp_path: Path) -> Iterator[SharedDatabase]:
    shared = SharedDatabase(tmp_path / "shared.sqlite3")
    yield shared
    shared.restore()


class Running(threading.Thread):
    """A function run in a thread with a database connection of its own."""

    def __init__(self, shared: SharedDatabase, target: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.shared = shared
        self.target = target
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        self.shared.connect_this_thread()
        try:
            self.result = self.target()
        except BaseException as error:  # handed to the test's thread
            self.error = error
        finally:
            connections.close_all()

    def outcome(self, *, within: float) -> Any:
        self.join(within)
        assert not self.is_alive(), f"still waiting after {within:g} s"
        if self.error is not None:
            raise self.error
        return self.result


class HeldRender:
    """Typst's compile call, waiting until released; notes whether a transaction was open."""

    def __init__(self, compile_: Callable[..., bytes]) -> None:
        self.compile = compile_
        self.started = threading.Event()
        self.released = threading.Event()
        self.in_transaction: list[bool] = []

    def __call__(self, **kwargs: Any) -> bytes:
        self.in_transaction.append(connection.in_atomic_block)
        self.started.set()
        assert self.released.wait(HOLD_LIMIT_SECONDS)
        return self.compile(**kwargs)


def _logged_in(employee: Any) -> Client:
    client = Client()
    client.force_login(employee.user)
    return client


def test_a_send_and_a_delivery_commit_while_another_request_renders_a_document(
    company, shared_database, smtp_server, smtp_settings, monkeypatch
):
    # Flushed by any earlier transactional test: put the data migration's templates back.
    default_templates_install(apps)

    # Anne is about to add an offer, never rendered before, to her draft.
    anne_order = OrderFactory()
    anne_draft = email_draft_create(order=anne_order, author=anne_order.responsible, template=default_template("free"))
    offer = OfferFactory(order=anne_order)
    OfferLineFactory(offer=offer)
    # Marc's draft is ready to go.
    marc_order = OrderFactory()
    WorkReportLineFactory(report__order=marc_order, employee=marc_order.responsible)
    marc_draft = email_draft_create(
        order=marc_order,
        author=marc_order.responsible,
        template=default_template("work_report"),
        contact=ContactFactory(client=marc_order.client, email="a.favre@gerance.ch"),
    )
    shared_database.share()
    render = HeldRender(document_services.typst_compile)
    monkeypatch.setattr(document_services, "typst_compile", render)

    anne = Running(
        shared_database,
        lambda: _logged_in(anne_order.responsible).post(
            reverse("emails:draft_add_document", args=[anne_draft.pk]), {"document": f"offer:{offer.pk}"}
        ),
    )
    marc = Running(
        shared_database,
        lambda: _logged_in(marc_order.responsible).post(reverse("emails:draft_send", args=[marc_draft.pk])),
    )
    worker = Running(shared_database, lambda: deliver_due(worker="test"))
    try:
        anne.start()
        if not render.started.wait(PROMPT_SECONDS):
            pytest.fail(f"Anne's render did not start: {anne.outcome(within=0)!r}")
        started = time.monotonic()
        marc.start()
        sent = marc.outcome(within=PROMPT_SECONDS)
        worker.start()
        worker.outcome(within=PROMPT_SECONDS)
        meanwhile = time.monotonic() - started
        assert anne.is_alive(), "Anne's render is still held"
    finally:
        render.released.set()
        for thread in (anne, marc, worker):
            if thread.ident is not None:
                thread.join(HOLD_LIMIT_SECONDS)

    assert sent.status_code == 302, sent.content.decode()[:500]
    email = OutgoingEmail.objects.get(draft=marc_draft)
    assert email.status == OutgoingEmail.Status.SENT
    [received] = smtp_server.received
    assert "a.favre@gerance.ch" in received.rcpt_tos
    assert meanwhile < 2 * PROMPT_SECONDS
    added = anne.outcome(within=HOLD_LIMIT_SECONDS)
    assert added.status_code == 302, added.content.decode()[:500]
    assert DraftAttachment.objects.filter(draft=anne_draft, document_kind="offer").count() == 1
    assert render.in_transaction == [False], "the render ran inside a transaction"


SEND_CLICKS = 20


def test_several_sends_of_one_draft_at_once_all_lead_to_the_one_email(company, shared_database):
    # A double click, two tabs, a retried request: all at the same moment.
    default_templates_install(apps)
    order = OrderFactory()
    draft = email_draft_create(
        order=order,
        author=order.responsible,
        template=default_template("free"),
        contact=ContactFactory(client=order.client, email="a.favre@gerance.ch"),
    )
    shared_database.share()
    go = threading.Barrier(SEND_CLICKS)
    url = reverse("emails:draft_send", args=[draft.pk])

    def click() -> Any:
        client = _logged_in(order.responsible)
        go.wait(PROMPT_SECONDS)
        return client.post(url, {"subject": draft.subject})

    clicks = [Running(shared_database, click) for _ in range(SEND_CLICKS)]
    for thread in clicks:
        thread.start()
    answers = [thread.outcome(within=HOLD_LIMIT_SECONDS) for thread in clicks]

    email = OutgoingEmail.objects.get(draft=draft)
    assert [a.status_code for a in answers] == [302] * SEND_CLICKS
    assert {a["Location"] for a in answers} == {reverse("emails:detail", args=[email.pk])}
    assert OutgoingEmail.objects.filter(order_id=order.pk).count() == 1
