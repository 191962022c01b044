"""A document email never goes without its document, speaks of the document chosen, and
starts from the document itself; expired offers are not presented as valid unless confirmed."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from organisatrice.emails.composer.drafts import (
    DraftChanges,
    email_draft_apply_template,
    email_draft_create,
    email_draft_for_document,
    email_draft_update,
)
from organisatrice.emails.composer.errors import DraftInvalid
from organisatrice.emails.composer.sending import draft_problems, draft_warnings, email_send
from organisatrice.emails.message.recipients import Recipient
from organisatrice.emails.models import EmailDraft, EmailTemplate, OutgoingEmail
from organisatrice.emails.outbox.tasks import deliver_due
from organisatrice.people.selectors import company_settings_get
from tests.documents.factories import PhotoFactory
from tests.factories import (
    BuildingFactory,
    ContactFactory,
    EmployeeFactory,
    OfferLineFactory,
    OrderFactory,
    WorkReportFactory,
    WorkReportLineFactory,
    default_template,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare_order():
    """An order with a contact but no report, offer or photo."""
    order = OrderFactory(number="2026-00077")
    ContactFactory(client=order.client, last_name="Favre", email="a.favre@gerance.ch")
    return order


def _report(order, *, day=datetime.date(2026, 11, 27), employee=None, hours="2.50"):
    report = WorkReportFactory(order=order, date=day)
    employee = employee or order.responsible
    report.employees.add(employee)
    WorkReportLineFactory(report=report, employee=employee, date=day, hours=hours)
    return report


# --- 1. A typed template whose document the order lacks ------------------------------------


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("work_report", "la commande n'a pas de rapport de travail"),
        ("offer", "la commande n'a pas d'offre"),
        ("photo_documentation", "la commande n'a pas de photo"),
    ],
)
def test_a_document_template_is_refused_on_an_order_without_that_document(bare_order, code, reason):
    with pytest.raises(DraftInvalid) as refused:
        email_draft_create(order=bare_order, author=bare_order.responsible, template=default_template(code))
    assert reason in str(refused.value)
    assert not EmailDraft.objects.exists()


def test_the_new_email_page_shows_those_templates_disabled_with_the_reason(client, bare_order):
    client.force_login(bare_order.responsible.user)
    page = unescape(client.get(reverse("emails:new", args=[bare_order.pk])).content.decode())

    work_report = re.search(rf'<option value="{default_template("work_report").pk}"([^>]*)>([^<]*)<', page)
    assert "disabled" in work_report.group(1)
    assert work_report.group(2).endswith("— indisponible : la commande n'a pas de rapport de travail")
    free = re.search(rf'<option value="{default_template("free").pk}"[^>]*>', page).group(0)
    assert "disabled" not in free and "selected" in free
    # Posted anyway (a stale page, a crafted request): refused with the reason, nothing made.
    response = client.post(reverse("emails:new", args=[bare_order.pk]), {"template": default_template("offer").pk})
    assert response.status_code == 400
    assert "la commande n'a pas d'offre" in unescape(response.content.decode())
    assert not EmailDraft.objects.exists()


def test_a_work_report_draft_without_its_report_cannot_be_sent_page_and_api(client, bare_order, smtp_settings):
    report = _report(bare_order)
    draft = email_draft_create(
        order=bare_order,
        author=bare_order.responsible,
        template=default_template("work_report"),
        contact=bare_order.client.contacts.get(),
    )
    draft.attachments.all().delete()
    client.force_login(bare_order.responsible.user)

    response = client.post(reverse("emails:draft_send", args=[draft.pk]))

    assert response.status_code == 400
    assert "Le gabarit « Rapport de travail » envoie un document (rapport de travail) : joignez-le avant l'envoi." in (
        unescape(response.content.decode())
    )
    assert not OutgoingEmail.objects.exists()
    with pytest.raises(DraftInvalid):
        email_send(draft=draft, employee=bare_order.responsible)
    # The report attached again, it goes.
    client.post(reverse("emails:draft_add_document", args=[draft.pk]), {"document": f"work_report:{report.pk}"})
    assert client.post(reverse("emails:draft_send", args=[draft.pk])).status_code == 302


def test_a_placeholder_without_a_value_stays_visible_and_stops_send(bare_order):
    _report(bare_order)
    custom = EmailTemplate.objects.create(
        type=default_template("free").type,
        language="fr",
        name="Relance offre",
        subject="Commande {{ order_number }}",
        greeting="{{ formal_greeting }},",
        motivation="Notre offre {{ offer_number }} du {{ today }} reste valable.",
        closing="Meilleures salutations",
    )
    draft = email_draft_create(
        order=bare_order, author=bare_order.responsible, template=custom, contact=bare_order.client.contacts.get()
    )

    # Never a blank: the placeholder itself, for the employee to see and replace.
    assert draft.motivation.startswith("Notre offre {{ offer_number }} du ")
    problems = draft_problems(draft=draft, company=company_settings_get())
    assert problems["motivation"] == [
        "« {{ offer_number }} » (Numéro de l'offre jointe) n'a pas de valeur sur cette commande : "
        "remplacez-le par le texte voulu."
    ]
    with pytest.raises(DraftInvalid):
        email_send(draft=draft, employee=bare_order.responsible)
    email_draft_update(
        draft=draft,
        employee=bare_order.responsible,
        changes=DraftChanges(motivation="Notre offre du mois dernier reste valable."),
    )
    assert "motivation" not in draft_problems(draft=EmailDraft.objects.get(pk=draft.pk), company=company_settings_get())


def test_a_fallback_in_the_template_still_works_when_a_value_is_missing(bare_order):
    # The default subject says {{ building_name or order_title }}: no building, the title.
    _report(bare_order)
    draft = email_draft_create(
        order=bare_order, author=bare_order.responsible, template=default_template("work_report")
    )
    assert draft.subject.endswith(f"– {bare_order.title}")
    assert "{{" not in draft.subject


# --- 2. Which document --------------------------------------------------------------------------


@pytest.fixture
def two_reports_same_day():
    order = OrderFactory(number="2026-00088")
    ContactFactory(client=order.client, last_name="Favre", email="a.favre@gerance.ch")
    other = EmployeeFactory(first_name="Luc", last_name="Girard")
    first = _report(order, hours="3.00")
    second = _report(order, employee=other, hours="5.50")
    return order, first, second


def test_reports_of_the_same_day_are_told_apart_in_the_composer_menus(client, two_reports_same_day):
    order, _first, _second = two_reports_same_day
    client.force_login(order.responsible.user)

    page = unescape(client.get(reverse("emails:new", args=[order.pk])).content.decode())

    responsible = order.responsible.full_name
    assert f"Rapport n° 1 du 27.11.2026 · {responsible} · 3 h · non transmis" in page
    assert "Rapport n° 2 du 27.11.2026 · Luc Girard · 5.5 h · non transmis" in page


def test_the_chosen_report_is_the_one_attached_and_spoken_of(client, two_reports_same_day):
    order, first, _second = two_reports_same_day
    first.date = datetime.date(2026, 11, 26)
    first.save()
    client.force_login(order.responsible.user)

    response = client.post(
        reverse("emails:new", args=[order.pk]),
        {"template": default_template("work_report").pk, "document": [f"work_report:{first.pk}"]},
    )

    draft = EmailDraft.objects.get()
    assert response.status_code == 302
    assert draft.attachments.get().work_report == first
    assert "du 26.11.2026" in draft.motivation


def test_choosing_another_report_in_the_composer_keeps_what_was_written(client, two_reports_same_day):
    order, first, second = two_reports_same_day
    second.date = datetime.date(2026, 11, 28)
    second.save()
    draft = email_draft_create(order=order, author=order.responsible, template=default_template("work_report"))
    assert draft.attachments.get().work_report == second and "du 28.11.2026" in draft.motivation
    client.force_login(order.responsible.user)

    client.post(
        reverse("emails:draft_choose_document", args=[draft.pk]),
        {"template_document": f"work_report:{first.pk}", "subject": "Mon concerne", "body": "Mon texte."},
    )

    draft.refresh_from_db()
    assert draft.attachments.get().work_report == first
    assert "du 27.11.2026" in draft.motivation  # the template's sentence follows the report
    assert (draft.subject, draft.body) == ("Mon concerne", "Mon texte.")  # what was typed stays


def test_a_report_is_transmitted_only_by_an_email_that_attached_it(client, two_reports_same_day, smtp_settings):
    order, first, second = two_reports_same_day
    contact = order.client.contacts.get()
    draft = email_draft_create(
        order=order,
        author=order.responsible,
        template=default_template("work_report"),
        contact=contact,
        selection={"work_report": first.pk},
    )
    email_send(draft=draft, employee=order.responsible)
    deliver_due(worker="test")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.reported_at is not None and second.reported_at is None

    client.force_login(order.responsible.user)
    page = unescape(client.get(reverse("orders:detail", args=[order.pk])).content.decode())
    assert "Rapport transmis au client le" in page
    assert re.search(r'id="reports-not-transmitted">Pas encore transmis : rapport n° 2 du 27.11.2026<', page)
    # And the next work report email takes the report not yet sent.
    again = email_draft_create(
        order=order, author=order.responsible, template=default_template("work_report"), contact=contact
    )
    assert again.attachments.get().work_report == second


def test_photos_are_named_by_number_and_time_and_chosen_by_day(client):
    order = OrderFactory()
    ContactFactory(client=order.client, email="a.favre@gerance.ch")
    early = PhotoFactory(
        order=order, caption="Chaufferie", taken_at=timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 5))
    )
    PhotoFactory(
        order=order, caption="Chaufferie", taken_at=timezone.make_aware(datetime.datetime(2026, 11, 21, 14, 30))
    )
    client.force_login(order.responsible.user)

    detail = unescape(client.get(reverse("orders:detail", args=[order.pk])).content.decode())
    new = unescape(client.get(reverse("emails:new", args=[order.pk])).content.decode())

    assert "Photo n° 1</strong> Chaufferie" in detail and "21.11.2026 14:30" in detail
    assert "Toutes les photos : 2 photos, du 20.11.2026 au 21.11.2026" in new
    client.post(
        reverse("emails:new", args=[order.pk]),
        {"template": default_template("photo_documentation").pk, "document": ["photo_documentation:2026-11-20"]},
    )
    draft = EmailDraft.objects.get()
    assert draft.attachments.get().selection == {"photos": [early.pk]}
    assert "(1 photos)" in draft.motivation


# --- 3. Send from the document ------------------------------------------------------------------


def test_send_from_a_report_takes_its_template_in_the_main_contacts_language(client, two_reports_same_day):
    order, first, _second = two_reports_same_day
    building = BuildingFactory(client=order.client)
    order.buildings.add(building)
    ContactFactory(client=None, building=building, email="concierge@b.ch", language="fr")
    ContactFactory(
        client=order.client, first_name="Hans", last_name="Keller", email="h.keller@v.ch", language="de", is_main=True
    )
    client.force_login(order.responsible.user)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert f'value="work_report:{first.pk}"' in page

    response = client.post(reverse("emails:document_send", args=[order.pk]), {"document": f"work_report:{first.pk}"})

    draft = EmailDraft.objects.get()
    assert response.status_code == 302 and response.url == reverse("emails:draft", args=[draft.pk])
    assert draft.template == default_template("work_report", "de")
    assert draft.to == [{"name": "Hans Keller", "email": "h.keller@v.ch"}]
    assert draft.attachments.get().work_report == first
    assert draft_problems(draft=draft, company=company_settings_get()) == {}


def test_without_a_main_contact_the_first_address_is_taken(bare_order):
    report = _report(bare_order)
    ContactFactory(client=bare_order.client, email="", last_name="Aaa")
    draft = email_draft_for_document(
        order=bare_order, author=bare_order.responsible, kind="work_report", selection={"work_report": report.pk}
    )
    assert draft.to == [{"name": "Anne Favre", "email": "a.favre@gerance.ch"}]


def test_send_from_a_document_of_another_order_is_refused(client, bare_order):
    foreign = _report(OrderFactory())
    client.force_login(bare_order.responsible.user)
    response = client.post(
        reverse("emails:document_send", args=[bare_order.pk]), {"document": f"work_report:{foreign.pk}"}
    )
    assert response.status_code == 302 and response.url == reverse("orders:detail", args=[bare_order.pk])
    assert not EmailDraft.objects.exists()


def test_someone_who_may_not_send_sees_no_action_and_is_refused(client, two_reports_same_day):
    order, first, _second = two_reports_same_day
    outsider = EmployeeFactory()
    client.force_login(outsider.user)
    assert 'class="inline document-send"' not in client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    response = client.post(reverse("emails:document_send", args=[order.pk]), {"document": f"work_report:{first.pk}"})
    assert response.status_code == 403
    assert not EmailDraft.objects.exists()


# --- 4. Language defaults -------------------------------------------------------------------


def test_the_new_email_step_starts_in_the_clients_language(client, bare_order):
    _report(bare_order)
    bare_order.client.contacts.update(email="")  # nobody to preselect: the client's language decides
    client.force_login(bare_order.responsible.user)
    page = client.get(reverse("emails:new", args=[bare_order.pk])).content.decode()
    selected = re.search(r'<option value="(\d+)"[^>]*selected', page).group(1)
    assert int(selected) == default_template("work_report", "fr").pk


def test_the_new_email_step_preselects_the_main_contact_and_their_language(client, bare_order):
    _report(bare_order)
    main = ContactFactory(client=bare_order.client, email="h.keller@v.ch", language="de", is_main=True)
    client.force_login(bare_order.responsible.user)
    page = client.get(reverse("emails:new", args=[bare_order.pk])).content.decode()
    assert re.search(rf'name="contact" value="{main.pk}"[^>]*checked', page)
    selected = re.search(r'<option value="(\d+)"[^>]*selected', page).group(1)
    assert int(selected) == default_template("work_report", "de").pk


def test_a_main_recipient_of_another_language_is_offered_the_variant_keeping_edits(client, two_reports_same_day):
    order, _first, second = two_reports_same_day
    german = ContactFactory(
        client=order.client, first_name="Hans", last_name="Keller", email="h.keller@v.ch", language="de"
    )
    draft = email_draft_create(order=order, author=order.responsible, template=default_template("work_report"))
    email_draft_update(
        draft=draft,
        employee=order.responsible,
        changes=DraftChanges(to=[Recipient(name="Hans Keller", email="h.keller@v.ch")], body="Pumpe läuft."),
    )
    client.force_login(order.responsible.user)
    composer = unescape(client.get(reverse("emails:draft", args=[draft.pk])).content.decode())
    assert "Hans Keller parle Deutsch" in composer
    assert f'name="template" value="{default_template("work_report", "de").pk}"' in composer

    client.post(
        reverse("emails:draft_template", args=[draft.pk]) + "?keep_edits=1",
        {
            "template": default_template("work_report", "de").pk,
            "subject": draft.subject,
            "body": "Pumpe läuft.",
            f"contact-{german.pk}": "to",
        },
    )

    draft.refresh_from_db()
    assert draft.language == "de" and draft.template == default_template("work_report", "de")
    assert "Keller" in draft.greeting  # written anew, for the German recipient
    assert draft.motivation.startswith("Im Anhang erhalten Sie den Arbeitsrapport vom 27.11.2026")
    assert draft.body == "Pumpe läuft."  # the employee's text stays
    assert draft.attachments.get().work_report == second  # the same report, now in German
    assert "Hans Keller parle" not in unescape(client.get(reverse("emails:draft", args=[draft.pk])).content.decode())


def test_keep_edits_keeps_a_rewritten_motivation(two_reports_same_day):
    order, _first, _second = two_reports_same_day
    draft = email_draft_create(order=order, author=order.responsible, template=default_template("work_report"))
    email_draft_update(draft=draft, employee=order.responsible, changes=DraftChanges(motivation="Ma phrase."))
    kept = email_draft_apply_template(
        draft=EmailDraft.objects.get(pk=draft.pk),
        employee=order.responsible,
        template=default_template("work_report", "en"),
        keep_edits=True,
    )
    draft.refresh_from_db()
    assert kept == {"motivation"}
    assert draft.motivation == "Ma phrase." and draft.subject.startswith("Work report")


# --- 5. Expired offers --------------------------------------------------------------------------


@pytest.fixture
def expired_offer_order():
    order = OrderFactory()
    ContactFactory(client=order.client, email="a.favre@gerance.ch")
    today = timezone.localdate()
    line = OfferLineFactory(
        offer__order=order,
        offer__date=today - datetime.timedelta(days=38),
        offer__valid_until=today - datetime.timedelta(days=8),
    )
    return order, line.offer


def test_an_expired_offer_is_warned_and_its_default_sentence_refused_unless_confirmed(
    client, expired_offer_order, smtp_settings
):
    order, offer = expired_offer_order
    draft = email_draft_create(
        order=order, author=order.responsible, template=default_template("offer"), contact=order.client.contacts.get()
    )
    expiry = f"{offer.valid_until:%d.%m.%Y}"
    assert f"L'offre {offer.number} jointe a expiré le {expiry}" in " ".join(
        draft_warnings(draft=draft, company=company_settings_get())
    )
    client.force_login(order.responsible.user)
    composer = unescape(client.get(reverse("emails:draft", args=[draft.pk])).content.decode())
    assert 'name="confirm_expired_offer"' in composer

    refused = client.post(reverse("emails:draft_send", args=[draft.pk]))
    assert refused.status_code == 400
    assert f"L'offre {offer.number} a expiré le {expiry}, et la motivation la présente encore telle quelle" in unescape(
        refused.content.decode()
    )
    assert not OutgoingEmail.objects.exists()

    confirmed = client.post(reverse("emails:draft_send", args=[draft.pk]), {"confirm_expired_offer": "on"})
    assert confirmed.status_code == 302
    assert OutgoingEmail.objects.count() == 1


def test_a_rewritten_sentence_for_an_expired_offer_needs_no_confirmation(expired_offer_order):
    order, _offer = expired_offer_order
    draft = email_draft_create(
        order=order, author=order.responsible, template=default_template("offer"), contact=order.client.contacts.get()
    )
    email_draft_update(
        draft=draft,
        employee=order.responsible,
        changes=DraftChanges(motivation="Comme convenu, nous prolongeons notre offre jusqu'à fin décembre."),
    )
    draft = EmailDraft.objects.get(pk=draft.pk)
    assert "expired_offer" not in draft_problems(draft=draft, company=company_settings_get())
    assert email_send(draft=draft, employee=order.responsible).status == OutgoingEmail.Status.QUEUED


def test_an_offer_still_valid_is_neither_warned_nor_refused():
    order = OrderFactory()
    ContactFactory(client=order.client, email="a.favre@gerance.ch")
    OfferLineFactory(offer__order=order, offer__valid_until=timezone.localdate())
    draft = email_draft_create(
        order=order, author=order.responsible, template=default_template("offer"), contact=order.client.contacts.get()
    )
    assert draft_warnings(draft=draft, company=company_settings_get()) == []
    assert draft_problems(draft=draft, company=company_settings_get()) == {}
