from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from organisatrice.clients.models import Contact

from ..message.recipients import Recipient, recipients_from_json, recipients_parse
from ..models import EmailDraft, EmailTemplate
from .drafts import DraftChanges

ROLE_CHOICES = [("", "—"), ("to", _("À")), ("cc", _("Cc")), ("bcc", _("Cci"))]


class NewEmailForm(forms.Form):
    """The first step: which template, for whom; the rest is pre-filled from it."""

    template = forms.ModelChoiceField(queryset=EmailTemplate.objects.none(), label=_("Gabarit"))
    # One of the order's contacts, already read with the order: checked against them, not queried.
    contact = forms.TypedChoiceField(label=_("Destinataire principal"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, templates: QuerySet[EmailTemplate], contacts: list[Contact], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]
        self.contacts = {contact.pk: contact for contact in contacts}
        self.fields["contact"].choices = [("", "—"), *((pk, c.full_name) for pk, c in self.contacts.items())]  # type: ignore[attr-defined]

    def clean_contact(self) -> Contact | None:
        pk = self.cleaned_data["contact"]
        return None if pk is None else self.contacts[pk]


class DraftForm(forms.Form):
    # strip=False: a line break in the subject must reach the check that refuses it.
    subject = forms.CharField(label=_("Concerne"), required=False, strip=False)
    greeting = forms.CharField(
        label=_("Salutation d'ouverture"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    motivation = forms.CharField(label=_("Motivation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(label=_("Texte individuel"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    closing = forms.CharField(label=_("Formule de clôture"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    signature = forms.CharField(label=_("Signature"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    to_extra = forms.CharField(label=_("Autres destinataires (À)"), required=False, strip=False)
    cc_extra = forms.CharField(label=_("Cc"), required=False, strip=False)
    bcc_extra = forms.CharField(label=_("Cci"), required=False, strip=False)
    bcc_me = forms.BooleanField(label=_("Copie cachée pour moi"), required=False)


def contact_roles(*, draft: EmailDraft, contacts: list[Contact]) -> tuple[dict[int, str], dict[str, str]]:
    """Which role each contact has in the draft, and the addresses typed by hand per role."""
    by_email = {c.email.lower(): c for c in contacts if c.email}
    roles: dict[int, str] = {}
    extras: dict[str, list[Recipient]] = {"to": [], "cc": [], "bcc": []}
    for role in ("to", "cc", "bcc"):
        for recipient in recipients_from_json(getattr(draft, role)):
            contact = by_email.get(recipient.email.lower())
            if contact is not None and contact.pk not in roles:
                roles[contact.pk] = role
            else:
                extras[role].append(recipient)
    return roles, {role: ", ".join(str(r) for r in recipients) for role, recipients in extras.items()}


def draft_form_initial(*, draft: EmailDraft, contacts: list[Contact]) -> dict:
    _roles, extras = contact_roles(draft=draft, contacts=contacts)
    return {
        "subject": draft.subject,
        "greeting": draft.greeting,
        "motivation": draft.motivation,
        "body": draft.body,
        "closing": draft.closing,
        "signature": draft.signature,
        "to_extra": extras["to"],
        "cc_extra": extras["cc"],
        "bcc_extra": extras["bcc"],
        "bcc_me": draft.bcc_me,
    }


def draft_changes_from_post(
    *, data: QueryDict, contacts: list[Contact], attachment_ids: list[int]
) -> tuple[DraftChanges, dict[str, list[str]]]:
    """The draft's new state from the composer's form, and the entries that were refused.

    A part absent from the post stays as it is: only what the form sent is changed.
    """
    form = DraftForm(data)
    form.is_valid()  # every field is optional: it only normalises
    # A field the form refused (its only check: no NUL) is absent from cleaned_data. Its
    # text goes on as typed, for the service to refuse with its reason and keep the
    # part as it was, instead of reading as emptied.
    cleaned = {**{name: str(data[name]) for name in form.errors if name in data}, **form.cleaned_data}
    errors: dict[str, list[str]] = {}
    recipients_posted = any(key.startswith("contact-") or key.endswith("_extra") for key in data)
    chosen: dict[str, list[Recipient]] = {"to": [], "cc": [], "bcc": []}
    for contact in contacts:
        role = data.get(f"contact-{contact.pk}", "")
        if role in chosen and contact.email:
            chosen[role].append(Recipient(name=contact.full_name, email=contact.email))
    for role in ("to", "cc", "bcc"):
        typed, problems = recipients_parse(cleaned.get(f"{role}_extra", ""))
        chosen[role].extend(typed)
        if problems:
            errors[role] = problems
    names = {}
    for attachment_id in attachment_ids:
        key = f"attachment-{attachment_id}-filename"
        if key in data:
            names[attachment_id] = str(data[key])

    def posted(name: str) -> str | None:
        return cleaned.get(name, "") if name in data else None

    return (
        DraftChanges(
            to=chosen["to"] if recipients_posted else None,
            cc=chosen["cc"] if recipients_posted else None,
            bcc=chosen["bcc"] if recipients_posted else None,
            # An unticked checkbox is absent from a post: the subject tells a full form.
            bcc_me=cleaned.get("bcc_me", False) if "subject" in data else None,
            subject=posted("subject"),
            greeting=posted("greeting"),
            motivation=posted("motivation"),
            body=posted("body"),
            closing=posted("closing"),
            signature=posted("signature"),
            attachment_names=names,
        ),
        errors,
    )
