"""What the new-email step and the composer show about templates and documents: which
templates the order allows (and why not the others), which document the template is
about, and the variant to offer when the main recipient speaks another language.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import QuerySet

from organisatrice.clients.models import Contact
from organisatrice.orders.models import Order
from organisatrice.orders.selectors import RecipientCandidates

from ..message.recipients import recipients_from_json
from ..models import EmailDraft, EmailTemplate
from ..templating.selectors import email_template_label
from .documents import OrderDocuments
from .prefill import default_selection, template_selection, template_unavailable
from .selectors import main_contact


@dataclass(frozen=True)
class TemplateOption:
    template: EmailTemplate
    unavailable: str  # why the order cannot use it; "" when it can

    @property
    def label(self) -> str:
        return email_template_label(self.template)


def template_options(*, templates: QuerySet[EmailTemplate], documents: OrderDocuments) -> list[TemplateOption]:
    holdings = documents.holdings
    return [
        TemplateOption(template=t, unavailable=template_unavailable(template=t, holdings=holdings)) for t in templates
    ]


def template_initial(*, options: list[TemplateOption], language: str) -> EmailTemplate | None:
    """The first usable type's template in this language (its default first), else the first usable."""
    usable = [o.template for o in options if not o.unavailable]
    for template in usable:
        if template.language == language and template.is_default:
            return template
    in_language = [t for t in usable if t.language == language]
    return next(iter(in_language or usable), None)


def new_email_defaults(
    *, order: Order, candidates: RecipientCandidates, options: list[TemplateOption]
) -> tuple[Contact | None, EmailTemplate | None]:
    """The main contact chosen and, in their language (the client's without one), the first usable template."""
    contact = main_contact(candidates)
    language = contact.language if contact else order.client.language
    return contact, template_initial(options=options, language=language)


def document_menus(
    *, order: Order, documents: OrderDocuments, options: list[TemplateOption], posted: list[str]
) -> list[tuple[str, list[tuple[str, str]], str]]:
    """For each document kind a template of the list is about: the documents it may use, and
    the one selected (the one posted, else the one the draft would take by default)."""
    menus = []
    for kind in dict.fromkeys(o.template.attachment_kind for o in options if o.template.attachment_kind):
        choices = documents.choices_for(kind)
        values = [value for value, _label in choices]
        selected = next((v for v in posted if v in values), "") or documents.value_of(
            kind=kind, selection=default_selection(order=order, kind=kind)
        )
        menus.append((kind, choices, selected))
    return menus


@dataclass(frozen=True)
class LanguageSwitch:
    """The main recipient speaks another language than the draft: the variant to offer."""

    contact: Contact
    template: EmailTemplate


def language_switch(
    *, draft: EmailDraft, candidates: RecipientCandidates, templates: QuerySet[EmailTemplate]
) -> LanguageSwitch | None:
    """`templates`, the active ones as email_templates_active orders them (the menus' list,
    read once): within a type and a language, the default comes first."""
    first = next(iter(recipients_from_json(draft.to)), None)
    if first is None or draft.template is None:
        return None
    contact = next((c for c in candidates.all_contacts() if c.email.lower() == first.email.lower()), None)
    if contact is None or contact.language == draft.language:
        return None
    variant = next(
        (
            t
            for t in templates
            if t.type_id == draft.template.type_id and t.language == contact.language and t.pk != draft.template.pk
        ),
        None,
    )
    return LanguageSwitch(contact=contact, template=variant) if variant else None


class ComposerMenus:
    """The composer's menus of templates and documents, read only if the page shows them:
    the live preview, rendered at each keystroke's pause, does not."""

    def __init__(self, *, draft: EmailDraft, templates: QuerySet[EmailTemplate]) -> None:
        self.draft = draft
        self.templates = templates

    @cached_property
    def documents(self) -> OrderDocuments:
        return OrderDocuments.of(self.draft.order)

    @cached_property
    def template_options(self) -> list[TemplateOption]:
        return template_options(templates=self.templates, documents=self.documents)

    @cached_property
    def template_documents(self) -> list[tuple[str, str]]:
        """The documents the draft's template may be about: what its attachment and placeholders use."""
        kind = self.draft.template.attachment_kind if self.draft.template else ""
        return self.documents.choices_for(kind) if kind else []

    @cached_property
    def template_document_value(self) -> str:
        kind = self.draft.template.attachment_kind if self.draft.template else ""
        return self.documents.value_of(kind=kind, selection=template_selection(self.draft))

    @cached_property
    def document_choices(self) -> list[tuple[str, str]]:
        """Every document of the order, for "Joindre"."""
        return self.documents.attach_choices()
