"""Property-based testing of the whole API against its own OpenAPI schema (schemathesis).

The app is called in process through its WSGI handler, on a database seeded by seed_demo,
with a dispatcher's bearer token. Every operation gets generated requests: valid ones and
invalid ones, with random ids and with ids of real rows (an order with documents, a draft
of its own, a sent email), so that the services behind the API see fuzzed input too.
Each answer must not be a server error and must match the schema.

Nothing is sent: Send only queues (the delivery task runs on commit, and the test's
transaction never commits), and EMAIL_* point at an in-process SMTP server that must
have received nothing at the end.
"""

import time
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from organisatrice.api.services import api_token_create
from organisatrice.emails.composer.drafts import email_draft_create
from organisatrice.emails.composer.sending import email_send
from organisatrice.emails.models import EmailTemplate
from organisatrice.orders.models import Order
from organisatrice.people.models import Employee

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.shared_media]

# Generated requests per operation and per kind of ids; with 18 operations and three
# strategies, 18 × 50 requests in all.
EXAMPLES_PER_OPERATION = 50
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def in_process_app(settings):
    """Django's WSGI app, called in the test's own transaction.

    Django's test client does the same: a request must not close the connection that
    holds the test's transaction, and a server error must reach the test with its traceback.
    """
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _real_ids(dispatcher: Employee) -> dict[str, Any]:
    """Path parameters naming real rows: an order with documents, and a sent email with an attachment."""
    order = Order.objects.filter(work_reports__isnull=False, client__contacts__email__gt="").order_by("pk").first()
    assert order is not None
    contact = order.client.contacts.exclude(email="").order_by("pk").first()
    work_report = EmailTemplate.objects.get(type__code="work_report", language="fr", is_default=True)
    sent_draft = email_draft_create(order=order, author=dispatcher, template=work_report, contact=contact)
    sent = email_send(draft=sent_draft, employee=dispatcher)
    return {"order_id": order.pk, "email_id": sent.pk, "position": 0, "order": order, "contact": contact}


def with_real_references(case: schemathesis.Case) -> schemathesis.Case:
    """The same case, naming a real template and contact where its body names one, so that
    generated drafts are also made, not only refused."""
    if isinstance(case.body, dict):
        for key, value in REAL_REFERENCES.items():
            if key in case.body:
                case.body[key] = value
        if case.operation.path.endswith("/email-drafts"):
            # Optional in the schema, so often left out; without it no draft is made.
            case.body.setdefault("template_id", REAL_REFERENCES["template_id"])
    return case


REAL_REFERENCES: dict[str, int] = {}


def test_the_api_answers_every_generated_request_within_its_schema(in_process_app, smtp_settings, smtp_server):
    started = time.monotonic()
    call_command("seed_demo", "--orders", "20", "--force", verbosity=0)
    dispatcher = Employee.objects.get(user__username="dispatcher")
    token = api_token_create(user=dispatcher.user, name="fuzz").key
    headers = {"Authorization": f"Bearer {token}"}
    real = _real_ids(dispatcher)
    free = EmailTemplate.objects.get(type__code="free", language="fr", is_default=True)
    REAL_REFERENCES.update(template_id=free.pk, contact_id=real["contact"].pk)
    seeded = time.monotonic() - started

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", in_process_app)
    calls = 0
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 21

    for operation in operations:
        names = {parameter.name for parameter in operation.path_parameters}
        known = {name: real[name] for name in names if name in real}
        if "draft_id" in names:
            # A fresh draft of the dispatcher's for each operation, so that Send or
            # Delete in one operation leaves the next one a draft to work on.
            known["draft_id"] = email_draft_create(
                order=real["order"], author=dispatcher, template=free, contact=real["contact"]
            ).pk
        strategies = [operation.as_strategy()]
        if known:
            strategies.append(operation.as_strategy(path_parameters=known).map(with_real_references))
            strategies.append(operation.as_strategy(schemathesis.GenerationMode.NEGATIVE, path_parameters=known))
        else:
            strategies.append(operation.as_strategy(schemathesis.GenerationMode.NEGATIVE))

        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @hypothesis.given(case=st.one_of(strategies))
        def check(case: schemathesis.Case) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        # Every operation runs, then all failures are shown; schemathesis reports its
        # check failures as a BaseExceptionGroup.
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"{operation.label}: {error}")

    elapsed = time.monotonic() - started
    print(f"\nschemathesis: {calls} requests on {len(operations)} operations in {elapsed:.1f} s (seed {seeded:.1f} s)")
    assert not failures, "\n\n".join(failures)
    assert calls >= len(operations) * EXAMPLES_PER_OPERATION // 2
    assert smtp_server.received == []
