"""The bounce parser against the labelled corpus (real bounces of many MTAs) and hostile input."""

import json
import time

import pytest
from django.core.management import call_command

from organisatrice.emails.delivery.parsing import bounce_parse
from organisatrice.emails.delivery.reports import Action, ReportKind
from tests.emails.delivery.scoring import CORPUS, score

BOUNCE_HEAD = b"From: MAILER-DAEMON@relay.example\r\nSubject: failure notice\r\n\r\n"


@pytest.fixture(scope="module")
def corpus_score():
    return score(CORPUS)


def test_the_corpus_bounces_are_recognised_with_exactly_their_recipients(corpus_score):
    # The targets: at least 95 % of the bounces, with exactly the labelled recipients.
    assert corpus_score.bounces == 412
    assert corpus_score.percent(corpus_score.recognised, corpus_score.bounces) >= 95.0, corpus_score.misses


def test_hard_or_soft_is_right_for_95_percent_of_the_recipients_found(corpus_score):
    assert corpus_score.percent(corpus_score.hard_right, corpus_score.found) >= 95.0, corpus_score.hard_wrong


def test_no_auto_reply_feedback_or_ordinary_message_is_taken_for_a_bounce(corpus_score):
    assert corpus_score.false_bounces == []


def test_the_status_class_is_right_for_nine_recipients_in_ten(corpus_score):
    assert corpus_score.percent(corpus_score.class_right, corpus_score.recipients) >= 90.0
    assert corpus_score.percent(corpus_score.status_right, corpus_score.status_comparable) >= 95.0


def test_every_recipient_of_a_report_is_read_with_its_own_status():
    parsed = bounce_parse((CORPUS / "lhost-opensmtpd-17.eml").read_bytes())
    assert parsed.kind == ReportKind.BOUNCE
    by_address = {line.email: line for line in parsed.recipients}
    assert by_address["userunknown@libsisimai.net"].hard
    assert not by_address["mailboxfull@libsisimai.net"].hard


def test_an_out_of_office_is_an_auto_reply_from_its_sender_never_a_bounce():
    parsed = bounce_parse((CORPUS / "rfc3834-01.eml").read_bytes())
    assert parsed.kind == ReportKind.AUTO_REPLY
    assert [(line.email, line.action) for line in parsed.recipients] == [("kijitora@example.net", Action.AUTO_REPLIED)]


def test_a_success_dsn_says_delivered():
    parsed = bounce_parse((CORPUS / "rfc3464-28.eml").read_bytes())
    assert parsed.kind == ReportKind.DELIVERED
    assert {line.action for line in parsed.recipients} == {Action.DELIVERED}


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff" * 1000,
        b"Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\n"
        + b"Final-Recipient: rfc822; "
        + b"a" * 100_000
        + b"\r\n--x--\r\n",
        b"From: MAILER-DAEMON@x\r\nSubject: failure\r\n\r\n" + b"<a@b.ch>:\r\n" * 50_000,
        b"Subject: " + b"=?utf-8?q?" + b"=0D=0A" * 1000 + b"?=\r\n\r\nhi",
        BOUNCE_HEAD + b"x" * 500_000,
        BOUNCE_HEAD + b"a@" * 100_000,
        BOUNCE_HEAD + b"recipient " * 50_000,
    ],
    ids=["empty", "binary", "huge-field", "many-addresses", "encoded-crlf", "long-token", "at-signs", "long-line"],
)
def test_hostile_messages_are_read_in_bounded_time_without_error(raw):
    started = time.process_time()
    parsed = bounce_parse(raw)
    assert time.process_time() - started < 2.0
    assert "\r" not in parsed.subject and "\n" not in parsed.subject
    assert all(len(line.diagnostic) <= 1000 for line in parsed.recipients)


def test_the_command_prints_one_json_line_per_file(capsys, tmp_path):
    files = [str(CORPUS / "lhost-postfix-01.eml"), str(CORPUS / "rfc3834-01.eml"), str(CORPUS / "arf-01.eml")]
    call_command("bounce_parse", *files)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["file"], line["kind"]) for line in lines] == [
        (files[0], "bounce"),
        (files[1], "auto_reply"),
        (files[2], "feedback"),
    ]
    assert lines[0]["recipients"] == [{"email": "r@p351355.pool.example.ne.jp", "status": "5.1.1", "hard": True}]


def test_the_command_says_which_file_it_cannot_read(capsys, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("bounce_parse", str(CORPUS / "rfc3834-01.eml"), str(tmp_path / "missing.eml"))
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    assert "missing.eml: illisible" in captured.err
