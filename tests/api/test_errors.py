"""The error shapes: 400/422 with the fields, 401, 403 with the reason, 404, 409; bad input is never a 500."""

from urllib.parse import urlencode

import pytest
from django.test import Client as HttpClient

from organisatrice.emails.models import EmailDraft
from tests.api.conftest import BASE, ApiClient, api_for
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def shape(response) -> set[str]:
    assert response["Content-Type"].startswith("application/json")
    return set(response.json())


def test_401_has_the_detail_and_the_bearer_challenge(anonymous, order):
    for response in (anonymous.get("/orders"), anonymous.post(f"/orders/{order.pk}/email-drafts", {"type": "free"})):
        assert response.status_code == 401
        assert shape(response) == {"detail"}
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_403_gives_the_policys_reason(order):
    api = api_for(EmployeeFactory(mail_permission=False))
    response = api.post(f"/orders/{order.pk}/email-drafts", {"type": "free"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Vous n'avez pas l'autorisation Mail (Backoffice › eMail)."}


def test_404_for_what_does_not_exist_or_is_not_the_callers(api, order):
    for path in (f"/orders/{order.pk + 1}", "/email-drafts/1", "/emails/1", "/no/such/path"):
        response = api.get(path)
        assert response.status_code == 404
        assert shape(response) == {"detail"}


def test_422_lists_each_field_with_a_french_message(api, order):
    response = api.patch(
        "/email-drafts/1",
        {"to": "a@b.ch", "cc": [{"name": 3}], "bcc_me": "maybe", "subject": ["x"], "remove_attachments": [0]},
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["detail"] == "Données invalides."
    assert {(e["field"], e["message"]) for e in body["errors"]} == {
        ("to", "Une liste est attendue."),
        ("cc.0.name", "Un texte est attendu."),
        ("cc.0.email", "Ce champ est obligatoire."),
        ("bcc_me", "Vrai ou faux (true, false) est attendu."),
        ("subject", "Un texte est attendu."),
        ("remove_attachments.0", "La valeur doit être supérieure ou égale à 1."),
    }


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', "null", "\xff\xfe"])
def test_400_for_a_body_that_is_not_a_json_object(api, order, body):
    response = api.client.post(
        f"{BASE}/orders/{order.pk}/email-drafts", body, content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Le corps de la requête doit être un objet JSON valide.",
        "errors": [{"field": "body", "message": "Le corps de la requête doit être un objet JSON valide."}],
    }


def test_a_missing_body_is_422(api, order):
    response = api.client.post(f"{BASE}/auth/token", "", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body", "message": "Ce champ est obligatoire."}]


def test_409_names_the_email_already_sent(api, order):
    contact = order.client.contacts.get()
    draft = api.post(f"/orders/{order.pk}/email-drafts", {"type": "free", "contact_id": contact.pk}).json()
    first = api.post(f"/email-drafts/{draft['id']}/send").json()
    response = api.post(f"/email-drafts/{draft['id']}/send")
    assert response.status_code == 409
    assert response.json() == {"detail": "Ce brouillon a déjà été envoyé.", "email_id": first["email_id"]}


HOSTILE_TEXTS = [
    "\x00",
    "nul\x00inside",
    "\ud800 lone surrogate",
    "\r\nBcc: victim@example.com",
    "😀" * 50,
    "'; DROP TABLE orders_order; --",
    "%_\\",
    "{{ 7 * 7 }} {% for x in y %}",
    "a" * 5000,
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_text_anywhere_is_never_a_server_error(api, order, text):
    contact = order.client.contacts.get()
    draft = api.post(f"/orders/{order.pk}/email-drafts", {"type": "free", "contact_id": contact.pk}).json()
    # json.dumps escapes a lone surrogate as \ud800, which is how another system would send it.
    responses = [
        api.patch(
            f"/email-drafts/{draft['id']}",
            {
                "to": [{"name": text, "email": text}],
                "subject": text,
                "body": text,
                "signature": text,
                "attachments": [{"id": 1, "filename": text}],
            },
        ),
        # Query strings carry bytes: a lone surrogate arrives as its (invalid) UTF-8 bytes.
        api.get("/orders?" + urlencode({"search": text[:200].encode("utf-8", "surrogatepass")})),
        api.get("/email-templates?" + urlencode({"type": text[:50].encode("utf-8", "surrogatepass")})),
        api.post(f"/orders/{order.pk}/email-drafts", {"type": text[:50]}),
        api.post("/auth/token", {"username": text[:150], "password": text}),
        ApiClient(HttpClient(), text.encode("utf-8", "replace").decode("latin-1")[:300]).get("/orders"),
    ]
    for response in responses:
        assert response.status_code < 500, response.content
        assert response["Content-Type"].startswith("application/json")
        if response.status_code in (400, 422):
            assert set(response.json()) == {"detail", "errors"}
    # The text is no address: the whole change is refused, and nothing of it is kept.
    assert responses[0].status_code == 422
    assert EmailDraft.objects.get(pk=draft["id"]).subject == draft["subject"]


@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808", "-1", "0", "1.5", "1e3", "abc"])
def test_ids_and_pages_out_of_range_are_422_not_500(api, value):
    paths = [f"/orders/{value}", f"/email-drafts/{value}", f"/emails/{value}/raw", f"/emails/1/attachments/{value}"]
    for path in paths:
        response = api.get(path)
        assert response.status_code in (404, 422), (path, response.content)
    response = api.get("/orders", {"page": value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "page"


def test_a_misspelt_field_is_refused_rather_than_ignored(api, order):
    contact = order.client.contacts.get()
    draft = api.post(f"/orders/{order.pk}/email-drafts", {"type": "free", "contact_id": contact.pk}).json()
    response = api.patch(f"/email-drafts/{draft['id']}", {"subjet": "Nouveau concerne"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "subjet", "message": "Ce champ n'est pas prévu."}]
