"""What a draft's content lacks before Send: the template's document, a value for each
placeholder, and the employee's yes for an expired offer presented as still valid.

Send (page and API) refuses what content_problems finds; the composer shows it beforehand.
"""

from django.utils.translation import gettext as _
from django.utils.translation import override

from organisatrice.documents.kinds import DocumentKind
from organisatrice.people.models import CompanySettings

from ..models import EmailDraft
from ..templating.placeholders import unfilled_placeholders
from .prefill import SATISFYING_KINDS, TEMPLATE_PARTS, expired_offer, offer_default_sentence_kept


def content_problems(
    *, draft: EmailDraft, company: CompanySettings, confirm_expired_offer: bool
) -> list[tuple[str, list[str]]]:
    """What the template's document and placeholders leave missing: never a document email
    without its document, never a blank where the template expected a value."""
    found: list[tuple[str, list[str]]] = []
    kind = draft.template.attachment_kind if draft.template else ""
    if kind and not any(a.document_kind in SATISFYING_KINDS[DocumentKind(kind)] for a in draft.attachments.all()):
        with override(draft.language):
            document = str(DocumentKind(kind).label)
        found.append(
            (
                "attachments",
                [
                    _("Le gabarit « %(template)s » envoie un document (%(document)s) : joignez-le avant l'envoi.")
                    % {"template": draft.template.name, "document": document}  # type: ignore[union-attr]
                ],
            )
        )
    for part in TEMPLATE_PARTS:
        missing = unfilled_placeholders(getattr(draft, part))
        if missing:
            found.append(
                (
                    part,
                    [
                        _(
                            "« %(placeholder)s » (%(meaning)s) n'a pas de valeur sur cette commande : "
                            "remplacez-le par le texte voulu."
                        )
                        % {"placeholder": f"{{{{ {p.name} }}}}", "meaning": p.meaning}
                        for p in missing
                    ],
                )
            )
    offer = expired_offer(draft=draft)
    if offer and not confirm_expired_offer and offer_default_sentence_kept(draft=draft, offer=offer, company=company):
        found.append(
            (
                "expired_offer",
                [
                    _(
                        "L'offre %(number)s a expiré le %(date)s, et la motivation la présente encore telle quelle : "
                        "modifiez-la, ou confirmez l'envoi de l'offre expirée."
                    )
                    % {"number": offer.number, "date": f"{offer.valid_until:%d.%m.%Y}"}
                ],
            )
        )
    return found


def content_warnings(*, draft: EmailDraft) -> list[str]:
    offer = expired_offer(draft=draft)
    if offer is None:
        return []
    return [
        _("L'offre %(number)s jointe a expiré le %(date)s : vérifiez ce que l'eMail en dit.")
        % {"number": offer.number, "date": f"{offer.valid_until:%d.%m.%Y}"}
    ]
