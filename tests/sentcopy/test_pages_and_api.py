"""The employee's page, the backoffice, the email's page and the API, against a real Dovecot."""

import pytest
from django.test import Client as HttpClient

from organisatrice.sentcopy.models import SentCopy, SentCopyMailbox, SentCopyServer
from organisatrice.sentcopy.tasks import sent_copy_attempt
from organisatrice.vault import secret_decrypt
from tests.api.conftest import ApiClient, api_for
from tests.emails.outgoing import outgoing_email_create
from tests.factories import EmployeeFactory, OrderFactory, UserFactory, default_template

from .conftest import mailbox_for, settings_of

pytestmark = pytest.mark.django_db


# --- API ----------------------------------------------------------------------------------------


def test_put_tests_stores_and_answers_the_folder_found(dovecot_user, employee):
    account = dovecot_user(sent_special_use=False)
    account.server.create_folder(account.address, "Gesendete Objekte")
    api = api_for(employee)

    response = api._send("put", "/me/sent-copy", settings_of(account))

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["folder"] == "Gesendete Objekte" and answer["enabled"] is True
    assert "password" not in answer and account.password not in response.content.decode()
    assert secret_decrypt(SentCopyMailbox.objects.get(employee=employee).password_encrypted) == account.password
    shown = api.get("/me/sent-copy").json()
    assert shown["username"] == account.address and "password" not in shown


def test_put_with_a_wrong_password_is_a_clear_400_and_stores_nothing(dovecot_user, employee):
    account = dovecot_user()
    response = api_for(employee)._send("put", "/me/sent-copy", settings_of(account, password="wrong"))

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Connexion refusée par le serveur IMAP : identifiant ou mot de passe incorrect."
    )
    assert not SentCopyMailbox.objects.exists()


def test_put_with_a_folder_that_is_not_there_is_a_400_on_the_folder(dovecot_user, employee):
    account = dovecot_user()
    response = api_for(employee)._send("put", "/me/sent-copy", settings_of(account, folder="Envoyés"))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "folder", "message": response.json()["detail"]},
    ]


def test_put_refuses_a_line_break_that_would_start_another_imap_command(dovecot_user, employee):
    account = dovecot_user()
    body = settings_of(account, folder='Sent\r\nA1 DELETE "INBOX"')
    response = api_for(employee)._send("put", "/me/sent-copy", body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "folder"


def test_delete_turns_the_copy_off(dovecot_user, employee):
    mailbox_for(employee, dovecot_user())
    api = api_for(employee)
    assert api.delete("/me/sent-copy").status_code == 204
    assert api.get("/me/sent-copy").status_code == 404
    assert not SentCopyMailbox.objects.exists()


def test_without_a_token_nothing():
    anonymous = ApiClient(HttpClient(), None)
    assert anonymous.get("/me/sent-copy").status_code == 401
    assert anonymous.delete("/me/sent-copy").status_code == 401


def test_the_emails_answer_has_its_sent_copy(employee_with_copy, deliver):
    employee, _account, _mailbox = employee_with_copy()
    dispatcher = EmployeeFactory(is_dispatcher=True)
    email = outgoing_email_create(sender=employee)
    assert api_for(dispatcher).get(f"/emails/{email.pk}").json()["sent_copy"] is None
    deliver()
    sent_copy_attempt(email_id=email.pk)

    answer = api_for(dispatcher).get(f"/emails/{email.pk}").json()["sent_copy"]

    copy = SentCopy.objects.get(email=email)
    assert answer["status"] == "appended" and answer["folder"] == "Sent" and answer["error"] == ""
    assert answer["at"] is not None and copy.appended_at is not None


# --- Point 4: "Copie cachée pour moi" -----------------------------------------------------------


def test_with_the_copy_on_bcc_me_defaults_to_off(dovecot_user, employee, company):
    order = OrderFactory(responsible=employee)
    api = api_for(employee)
    draft = api.post(f"/orders/{order.pk}/email-drafts", {"template_id": default_template("free").pk}).json()
    assert draft["bcc_me"] is True

    mailbox_for(employee, dovecot_user())
    employee.refresh_from_db()
    free = default_template("free")
    draft = api_for(employee).post(f"/orders/{order.pk}/email-drafts", {"template_id": free.pk}).json()
    assert draft["bcc_me"] is False


# --- Pages --------------------------------------------------------------------------------------


def test_the_page_starts_from_the_company_server_and_is_in_the_user_menu(logged_in, employee):
    SentCopyServer.objects.create(host="imap.dupont-sa.ch", security="tls")
    page = logged_in.get("/me/sent-copy/").content.decode()
    assert 'value="imap.dupont-sa.ch"' in page and 'value="993"' in page
    assert f'value="{employee.email}"' in page
    assert 'href="/me/sent-copy/"' in logged_in.get("/orders/").content.decode()


def test_the_test_button_shows_the_folder_found_and_stores_nothing(logged_in, dovecot_user):
    account = dovecot_user()
    page = logged_in.post("/me/sent-copy/", {**settings_of(account), "action": "test"}).content.decode()
    assert "Connexion réussie ; dossier des envoyés : « Sent »." in page
    assert '<option value="Sent" selected>' in page
    assert not SentCopyMailbox.objects.exists()


def test_save_stores_and_the_password_is_never_shown_again(logged_in, dovecot_user, employee):
    account = dovecot_user()
    response = logged_in.post("/me/sent-copy/", {**settings_of(account), "action": "save"}, follow=True)
    page = response.content.decode()
    assert "Copie activée : dossier « Sent »." in page
    assert account.password not in page
    assert SentCopyMailbox.objects.get(employee=employee).folder == "Sent"


def test_save_with_a_wrong_password_says_why(logged_in, dovecot_user):
    account = dovecot_user()
    body = {**settings_of(account, password="nope"), "action": "save"}
    page = logged_in.post("/me/sent-copy/", body).content.decode()
    assert "identifiant ou mot de passe incorrect" in page
    assert not SentCopyMailbox.objects.exists()


def test_remove(logged_in, dovecot_user, employee):
    mailbox_for(employee, dovecot_user())
    logged_in.post("/me/sent-copy/remove/")
    assert not SentCopyMailbox.objects.exists()


def test_the_email_page_says_where_the_copy_went_or_why_not(employee_with_copy, deliver, dovecot_user):
    employee, _account, _mailbox = employee_with_copy()
    email = outgoing_email_create(sender=employee, order=OrderFactory(responsible=employee))
    deliver()
    sent_copy_attempt(email_id=email.pk)
    client = HttpClient()
    client.force_login(employee.user)

    page = client.get(f"/emails/{email.pk}/").content.decode()
    assert "copie déposée dans « Sent »" in page

    SentCopy.objects.filter(email=email).update(status="failed", error="Connexion refusée par le serveur IMAP.")
    page = client.get(f"/emails/{email.pk}/").content.decode()
    assert "Copie dans les envoyés non déposée : Connexion refusée par le serveur IMAP." in page


# --- Backoffice ---------------------------------------------------------------------------------


def test_the_backoffice_tests_before_storing_and_never_shows_the_password(dovecot_user, employee):
    admin = HttpClient()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    account = dovecot_user()
    form = {**settings_of(account), "employee": employee.pk, "enabled": "on", "folder": ""}

    refused = admin.post("/backoffice/sentcopy/sentcopymailbox/add/", {**form, "password": "wrong"})
    assert "identifiant ou mot de passe incorrect" in refused.content.decode()
    assert not SentCopyMailbox.objects.exists()

    admin.post("/backoffice/sentcopy/sentcopymailbox/add/", form)
    mailbox = SentCopyMailbox.objects.get()
    assert mailbox.folder == "Sent"
    change = admin.get(f"/backoffice/sentcopy/sentcopymailbox/{mailbox.pk}/change/").content.decode()
    assert account.password not in change and mailbox.password_encrypted not in change


def test_the_test_button_refuses_a_line_break_in_the_login_before_any_connection(logged_in, dovecot_user):
    account = dovecot_user()
    log_before = account.server.log.read_text()
    body = {**settings_of(account, username=f"{account.address}\r\nA2 DELETE INBOX"), "action": "test"}
    page = logged_in.post("/me/sent-copy/", body).content.decode()
    assert "Ce texte contient un caractère non autorisé" in page
    assert account.server.log.read_text() == log_before  # Dovecot saw nothing
