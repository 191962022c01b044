"""The SMTP connection against a real server: what arrives, and how every answer is classified."""

import smtplib
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from hypothesis import given
from hypothesis import strategies as st

from organisatrice.emails.models import DeliveryAttempt
from organisatrice.emails.outbox.results import Stage
from organisatrice.emails.outbox.smtp import SmtpConfig, SmtpConnection, dot_stuffed
from tests.emails.conftest import SMTP_LOGIN
from tests.smtp_server import Certificate, SilentServer, SmtpTestServer, free_port

Outcome = DeliveryAttempt.Outcome


def raw_message(subject: str = "Rapport de travail", body: str = "Bonjour,\n\nCi-joint le rapport.\n") -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = "Dupont SA <envoi@dupont-sa.ch>"
    message["To"] = "Anne Favre <anne@gerance.ch>"
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '.')}@dupont-sa.ch>"
    message.set_content(body, cte="quoted-printable")
    # A line starting with a dot must survive SMTP's dot-stuffing unchanged.
    message.add_attachment(b"%PDF-1.7\n.\n..leading dots\n", maintype="application", subtype="pdf", filename="r.pdf")
    return message.as_bytes(policy=SMTP)


def connection_to(server: SmtpTestServer | SilentServer, **options) -> SmtpConnection:
    return SmtpConnection(SmtpConfig(host=server.host, port=server.port, timeout=5.0, **options))


def test_the_bytes_arrive_exactly_as_given(smtp_server):
    raw = raw_message()
    with connection_to(smtp_server) as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw)

    assert result.outcome == Outcome.SENT
    assert result.code == 250
    assert result.reply.startswith("2.0.0 Ok: queued as")
    [received] = smtp_server.received
    assert received.data == raw
    assert received.mail_from == "envoi@dupont-sa.ch"


def test_envelope_recipients_may_be_absent_from_the_headers(smtp_server):
    raw = raw_message()
    with connection_to(smtp_server) as smtp:
        smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch", "archive@dupont-sa.ch"], raw)

    [received] = smtp_server.received
    assert received.rcpt_tos == ["anne@gerance.ch", "archive@dupont-sa.ch"]
    assert b"archive@dupont-sa.ch" not in received.data


def test_one_connection_carries_several_messages(smtp_server):
    with connection_to(smtp_server) as smtp:
        for number in range(3):
            assert smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw_message(f"M {number}")).accepted

    assert [m.connection for m in smtp_server.received] == [1, 1, 1]


def test_size_is_announced_and_8bit_bodies_are_declared(smtp_server):
    raw = raw_message().replace(b"Subject: Rapport de travail", "Subject: Réparé".encode())
    with connection_to(smtp_server) as smtp:
        smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw)

    [received] = smtp_server.received
    assert f"SIZE={len(raw)}" in received.mail_options
    assert "BODY=8BITMIME" in received.mail_options
    assert received.data == raw


def test_starttls_and_login(smtp_tls_server, smtp_certificate: Certificate):
    connection = connection_to(
        smtp_tls_server, use_tls=True, username=SMTP_LOGIN[0], password=SMTP_LOGIN[1], cafile=str(smtp_certificate.cert)
    )
    with connection as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw_message())

    assert result.accepted
    [received] = smtp_tls_server.received
    assert received.tls
    assert received.login == SMTP_LOGIN[0]


def test_implicit_tls(smtp_certificate: Certificate):
    with SmtpTestServer(certificate=smtp_certificate, implicit_tls=True) as server:
        with connection_to(server, use_ssl=True, cafile=str(smtp_certificate.cert)) as smtp:
            assert smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw_message()).accepted
        assert server.received[0].tls


def test_a_wrong_password_is_temporary_so_fixing_the_settings_lets_the_mail_leave(
    smtp_tls_server, smtp_certificate: Certificate
):
    connection = connection_to(
        smtp_tls_server, use_tls=True, username=SMTP_LOGIN[0], password="wrong", cafile=str(smtp_certificate.cert)
    )
    with connection as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw_message())

    assert result.outcome == Outcome.TEMPORARY
    assert result.stage == Stage.CONNECT
    assert result.code == 535
    assert smtp_tls_server.received == []


def test_an_unverifiable_certificate_is_not_trusted(smtp_tls_server):
    with connection_to(smtp_tls_server, use_tls=True, username=SMTP_LOGIN[0], password=SMTP_LOGIN[1]) as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw_message())

    assert result.outcome == Outcome.TEMPORARY
    assert result.stage == Stage.CONNECT
    assert "CERTIFICATE_VERIFY_FAILED" in result.error
    assert smtp_tls_server.received == []


def test_a_server_that_requires_starttls_refuses_plain_mail(smtp_tls_server):
    with connection_to(smtp_tls_server) as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw_message())

    assert result.outcome == Outcome.PERMANENT
    assert result.code == 530
    assert result.stage == Stage.MAIL


@pytest.mark.parametrize(
    ("reply", "outcome", "code"),
    [
        ("421 4.3.2 Service shutting down", Outcome.TEMPORARY, 421),
        ("451 4.3.0 Try again later", Outcome.TEMPORARY, 451),
        ("550 5.7.1 Message refused by policy", Outcome.PERMANENT, 550),
    ],
)
def test_replies_after_data_are_classified_by_their_code(smtp_server, reply, outcome, code):
    smtp_server.fail_next(reply)
    with connection_to(smtp_server) as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw_message())
        assert (result.outcome, result.code, result.stage) == (outcome, code, Stage.DATA)
        assert result.server_reply == reply
        # The connection (a fresh one after 421) still carries the next message.
        assert smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw_message("Suite")).accepted

    assert [m.message.get("Subject") for m in smtp_server.received] == ["Suite"]


def test_some_recipients_refused_the_others_get_it(smtp_server):
    smtp_server.refuse_recipient("gone@gerance.ch", "550 5.1.1 <gone@gerance.ch>: user unknown")
    with connection_to(smtp_server) as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch", "gone@gerance.ch"], raw_message())

    assert result.outcome == Outcome.SENT
    assert result.refused == {"gone@gerance.ch": "550 5.1.1 <gone@gerance.ch>: user unknown"}
    assert smtp_server.received[0].rcpt_tos == ["anne@gerance.ch"]


def test_all_recipients_refused_for_good_is_permanent(smtp_server):
    smtp_server.refuse_recipient("gone@gerance.ch")
    smtp_server.refuse_recipient("left@gerance.ch", "553 5.1.3 Bad address")
    with connection_to(smtp_server) as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["gone@gerance.ch", "left@gerance.ch"], raw_message())

    assert result.outcome == Outcome.PERMANENT
    assert result.stage == Stage.RCPT
    assert set(result.refused) == {"gone@gerance.ch", "left@gerance.ch"}
    assert smtp_server.received == []


def test_all_recipients_refused_but_one_only_for_now_is_temporary(smtp_server):
    smtp_server.refuse_recipient("gone@gerance.ch")
    smtp_server.refuse_recipient("full@gerance.ch", "452 4.2.2 Mailbox full")
    with connection_to(smtp_server) as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["gone@gerance.ch", "full@gerance.ch"], raw_message())

    assert result.outcome == Outcome.TEMPORARY


def test_connection_dropped_after_data_is_temporary(smtp_server):
    smtp_server.drop_next()
    raw = raw_message()
    with connection_to(smtp_server) as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw)
        assert (result.outcome, result.stage) == (Outcome.TEMPORARY, Stage.DATA)
        assert "SMTPServerDisconnected" in result.error
        assert smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw).accepted

    assert smtp_server.dropped[0].data == smtp_server.received[0].data == raw


def test_nobody_listening_is_temporary():
    with SmtpConnection(SmtpConfig(host="127.0.0.1", port=free_port(), timeout=5.0)) as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw_message())

    assert (result.outcome, result.stage) == (Outcome.TEMPORARY, Stage.CONNECT)
    assert "ConnectionRefusedError" in result.error


def test_a_silent_server_times_out():
    with SilentServer() as silent, connection_to(silent) as smtp:
        smtp.config = SmtpConfig(host=silent.host, port=silent.port, timeout=0.3)
        result = smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw_message())

    assert (result.outcome, result.stage) == (Outcome.TEMPORARY, Stage.CONNECT)
    assert "timed out" in result.error


def test_a_connection_the_server_closed_while_idle_is_replaced():
    port = free_port()
    with SmtpTestServer(port=port) as first, connection_to(first) as smtp:
        assert smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw_message("Un")).accepted
        first.stop()
        with SmtpTestServer(port=port) as second:
            result = smtp.sendmail("envoi@dupont-sa.ch", ["anne@gerance.ch"], raw_message("Deux"))
            assert result.accepted
            assert len(second.received) == 1


def test_non_ascii_addresses_go_out_with_smtputf8(smtp_server):
    with connection_to(smtp_server) as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["rené@gérance.ch"], raw_message())

    assert result.accepted
    assert "SMTPUTF8" in smtp_server.received[0].mail_options
    assert smtp_server.received[0].rcpt_tos == ["rené@gérance.ch"]


def test_non_ascii_addresses_without_smtputf8_are_refused_for_good():
    with SmtpTestServer(smtputf8=False) as server, connection_to(server) as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["rené@gérance.ch"], raw_message())

    assert result.outcome == Outcome.PERMANENT
    assert "SMTPUTF8" in result.error
    assert server.received == []


@given(st.lists(st.sampled_from([b".", b"..", b"\r\n", b"\n", b"\r", b"a", b"\r\n.", b" ."])).map(b"".join))
def test_dot_stuffing_is_smtplibs(raw):
    assert dot_stuffed(raw) == smtplib._quote_periods(raw)


@pytest.mark.parametrize("address", ["anne@gerance.ch>\r\nRCPT TO:<x@evil.example", "anne @gerance.ch", ""])
def test_an_address_that_would_reshape_the_command_is_refused_before_sending(smtp_server, address):
    with connection_to(smtp_server) as smtp:
        result = smtp.sendmail("envoi@dupont-sa.ch", ["ok@gerance.ch", address], raw_message())

    assert result.outcome == Outcome.PERMANENT
    assert smtp_server.received == []
