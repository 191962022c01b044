"""Which sent email a report is about: its VERP token, else its ENVID, else the returned Message-ID.

The token carries an HMAC (outbox/envelope.py), so a report naming a token it made up
ties to nothing; a Message-ID is ours only if an email of ours has it. One query decides
for a whole batch of reports (the mailbox is read fifty messages at a time).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from ..models import DeliveryReport, OutgoingEmail
from ..outbox.envelope import delivery_token_email_id
from .reports import ParsedReport

MatchedBy = DeliveryReport.MatchedBy


@dataclass(frozen=True)
class Match:
    email_id: int | None
    matched_by: str


NO_MATCH = Match(None, MatchedBy.NONE)


def _candidates(parsed: ParsedReport) -> list[tuple[int, str]]:
    """The emails the report's tokens name, in order of trust (VERP, then ENVID)."""
    found: list[tuple[int, str]] = [
        (email_id, MatchedBy.VERP)
        for address in parsed.addressed_to
        if (email_id := delivery_token_email_id(address.partition("@")[0])) is not None
    ]
    if parsed.envelope_id and (email_id := delivery_token_email_id(parsed.envelope_id)) is not None:
        found.append((email_id, MatchedBy.ENVID))
    return found


def reports_match(reports: Sequence[ParsedReport]) -> list[Match]:
    candidates = [_candidates(parsed) for parsed in reports]
    message_ids = [parsed.original_message_id.strip()[:250] for parsed in reports]
    ids = {email_id for found in candidates for email_id, _by in found}
    wanted_ids = {value for value in message_ids if value}
    if not ids and not wanted_ids:
        return [NO_MATCH for _parsed in reports]
    rows = OutgoingEmail.objects.filter(Q(pk__in=ids) | Q(message_id__in=wanted_ids)).order_by()
    known = dict(rows.values_list("pk", "message_id"))
    by_message_id = {value: pk for pk, value in known.items()}
    matches = []
    for found, message_id in zip(candidates, message_ids, strict=True):
        match = next((Match(email_id, by) for email_id, by in found if email_id in known), None)
        if match is None and message_id in by_message_id:
            match = Match(by_message_id[message_id], MatchedBy.MESSAGE_ID)
        matches.append(match or NO_MATCH)
    return matches


def report_match(parsed: ParsedReport) -> Match:
    return reports_match([parsed])[0]
