"""Opening the composer with a pre-filled work report draft, as the server sees it.

"Cold" is the first draft on an order: template rendering, the work report PDF rendered by
Typst, the draft and the composer page. "Warm" opens another draft on the same order,
when the PDF comes from the render cache. "Live preview" is one htmx autosave of the
composer: the draft saved and the preview part rendered again. Each request goes through
django.test.Client, the whole middleware stack included, as the dispatcher.
"""

import os

import django

from bench.common import emit, result_from_samples, timed

DATABASES = ["sqlite", "postgresql"]
QUICK = os.environ.get("BENCH_QUICK") == "1"
REPEAT = 15 if QUICK else 60
SEED = 2026


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from organisatrice.clients.models import Contact
    from organisatrice.devtools.demo import demo_seed
    from organisatrice.emails.models import EmailDraft, EmailTemplate
    from organisatrice.orders.models import Order

    call_command("migrate", verbosity=0)
    orders = list(
        Order.objects.filter(work_reports__isnull=False, client__contacts__email__gt="")
        .distinct()
        .order_by("-number")[: REPEAT + 3]
    )
    if len(orders) < REPEAT + 3:
        demo_seed(orders=5 * REPEAT, seed=SEED)
        orders = list(
            Order.objects.filter(work_reports__isnull=False, client__contacts__email__gt="")
            .distinct()
            .order_by("-number")[: REPEAT + 3]
        )
    template = EmailTemplate.objects.get(type__code="work_report", language="fr", is_default=True)
    client = Client()
    client.force_login(get_user_model().objects.get(username="dispatcher"))
    # Earlier runs' drafts and cached PDFs would turn the cold case warm.
    EmailDraft.objects.filter(order__in=orders).delete()
    from organisatrice.documents.models import DocumentRender

    DocumentRender.objects.all().delete()

    # Looked up before timing: only the server's work is measured.
    contacts = {
        order.pk: Contact.objects.filter(client_id=order.client_id).exclude(email="").values_list("pk", flat=True)[0]
        for order in orders
    }

    def open_composer(order: Order) -> None:
        response = client.post(
            reverse("emails:new", args=[order.pk]),
            {"template": template.pk, "contact": contacts[order.pk]},
            follow=True,
        )
        assert response.status_code == 200, response.status_code
        assert b'id="preview"' in response.content

    cold_orders = iter(orders)
    cold = timed(lambda: open_composer(next(cold_orders)), repeat=REPEAT, warmup=2)
    emit(
        result_from_samples(bench="composer", case="open_cold_pdf_rendered", samples=cold, extra={"target_p95_ms": 100})
    )

    warm_order = orders[0]
    warm = timed(lambda: open_composer(warm_order), repeat=REPEAT)
    emit(result_from_samples(bench="composer", case="open_warm_pdf_cached", samples=warm))

    draft = EmailDraft.objects.filter(order=warm_order).latest("pk")
    url = reverse("emails:draft", args=[draft.pk])
    counter = iter(range(10**6))

    def autosave() -> None:
        response = client.post(
            url, {"subject": f"Rapport {next(counter)}", "body": "Texte modifié."}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200

    live = timed(autosave, repeat=REPEAT)
    emit(result_from_samples(bench="composer", case="live_preview_autosave", samples=live))


if __name__ == "__main__":
    main()
