"""The pages the browser tests walk through, on the demo data a new user would see.

The demo orders carry long client and building names, several contacts in several
languages, work reports, photos and offers; one email is sent from the first order so
that its email page and the order's emails table have content.
"""

from dataclasses import dataclass

from organisatrice.devtools.demo import demo_seed
from organisatrice.emails.composer.drafts import email_draft_create
from organisatrice.emails.composer.sending import email_send
from organisatrice.emails.models import EmailDraft, EmailTemplate, OutgoingEmail
from organisatrice.orders.models import Order
from organisatrice.people.models import Employee

DEMO_ORDERS = 12


@dataclass(frozen=True)
class Scene:
    order: Order
    draft: EmailDraft
    email: OutgoingEmail

    def pages(self) -> dict[str, str]:
        """The pages every size is tried on, by name."""
        return {
            "order list": "/orders/",
            "order detail": f"/orders/{self.order.pk}/",
            "new email": f"/emails/orders/{self.order.pk}/new/",
            "composer": f"/emails/drafts/{self.draft.pk}/",
            "email detail": f"/emails/{self.email.pk}/",
        }


def scene_build() -> Scene:
    demo_seed(orders=DEMO_ORDERS, seed=1)
    dispatcher = Employee.objects.get(user__username="dispatcher")
    order = (
        Order.objects.filter(work_reports__isnull=False, offers__isnull=False, photos__isnull=False)
        .distinct()
        .order_by("pk")
        .first()
    )
    assert order is not None, "the demo data has an order with a report, an offer and photos"
    template = EmailTemplate.objects.get(type__code="work_report", language="fr", is_default=True)
    contact = next(c for c in order.client.contacts.all() if c.email)
    sent_draft = email_draft_create(order=order, author=dispatcher, template=template, contact=contact)
    email = email_send(draft=sent_draft, employee=dispatcher)
    draft = email_draft_create(order=order, author=dispatcher, template=template, contact=contact)
    return Scene(order=order, draft=draft, email=email)
