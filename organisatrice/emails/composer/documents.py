"""The order's documents as the composer lists them: named so that each can be told apart,
as menu values ("work_report:12", "offer:3", "photo_documentation:all",
"photo_documentation:2026-11-20", "photos:5") and back into selections.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from organisatrice.documents.kinds import DocumentKind
from organisatrice.orders.models import Order
from organisatrice.orders.naming import (
    NamedOffer,
    NamedPhoto,
    NamedWorkReport,
    offers_named,
    photo_set_label,
    photos_named,
    work_reports_named,
)
from organisatrice.orders.selectors import work_reports_with_hours

from .prefill import OrderHoldings

ALL_PHOTOS = "all"


@dataclass(frozen=True)
class OrderDocuments:
    reports: list[NamedWorkReport]
    offers: list[NamedOffer]
    photos: list[NamedPhoto]

    @classmethod
    def of(cls, order: Order) -> "OrderDocuments":
        return cls(
            reports=work_reports_named(order=order, reports=work_reports_with_hours(order=order)),
            offers=offers_named(order=order),
            photos=photos_named(order=order, photos=order.photos.all()),
        )

    @property
    def holdings(self) -> OrderHoldings:
        return OrderHoldings(work_reports=len(self.reports), offers=len(self.offers), photos=len(self.photos))

    def _photo_days(self) -> dict[datetime.date, list[NamedPhoto]]:
        days: dict[datetime.date, list[NamedPhoto]] = {}
        for named in self.photos:
            if named.photo.taken_at:
                days.setdefault(timezone.localdate(named.photo.taken_at), []).append(named)
        return days

    def choices_for(self, kind: str) -> list[tuple[str, str]]:
        """The documents a template of this kind may be about: what its attachment and placeholders use."""
        if kind == DocumentKind.WORK_REPORT:
            return [(f"{kind}:{n.report.pk}", n.label) for n in self.reports]
        if kind == DocumentKind.OFFER:
            return [(f"{kind}:{n.offer.pk}", n.label) for n in self.offers]
        if kind == DocumentKind.PHOTO_DOCUMENTATION and self.photos:
            choices = [
                (f"{kind}:{ALL_PHOTOS}", _("Toutes les photos : %(set)s") % {"set": photo_set_label(self.photos)})
            ]
            days = self._photo_days()
            if len(days) > 1:
                choices += [(f"{kind}:{day:%Y-%m-%d}", photo_set_label(photos)) for day, photos in sorted(days.items())]
            return choices
        return []

    def attach_choices(self) -> list[tuple[str, str]]:
        """Every document the employee may add to a draft, by hand."""
        photos = [(f"{DocumentKind.PHOTOS}:{n.photo.pk}", n.label) for n in self.photos]
        return [
            *self.choices_for(DocumentKind.WORK_REPORT),
            *self.choices_for(DocumentKind.OFFER),
            *[
                (value, f"{DocumentKind.PHOTO_DOCUMENTATION.label} – {label}")
                for value, label in self.choices_for(DocumentKind.PHOTO_DOCUMENTATION)
            ],
            *photos,
        ]

    def value_of(self, *, kind: str, selection: dict) -> str:
        """The menu value of a selection, to show which document a draft uses."""
        if kind == DocumentKind.WORK_REPORT and "work_report" in selection:
            return f"{kind}:{selection['work_report']}"
        if kind == DocumentKind.OFFER and "offer" in selection:
            return f"{kind}:{selection['offer']}"
        if kind == DocumentKind.PHOTO_DOCUMENTATION and isinstance(selection.get("photos"), list):
            chosen = set(selection["photos"])
            for value, _label in self.choices_for(kind):
                parsed = self.selection_parse(value)
                if parsed and set(parsed[1]["photos"]) == chosen:
                    return value
        return ""

    def selection_parse(self, value: str) -> tuple[str, dict] | None:
        """The (kind, selection) of a menu value, if it names a document of this order."""
        kind, _sep, key = value.partition(":")
        if kind == DocumentKind.PHOTO_DOCUMENTATION:
            if key == ALL_PHOTOS:
                photos = self.photos
            else:
                try:
                    photos = self._photo_days().get(datetime.date.fromisoformat(key), [])
                except ValueError:
                    return None
            return (kind, {"photos": [n.photo.pk for n in photos]}) if photos else None
        if not key.isdigit():
            return None
        pk = int(key)
        if kind == DocumentKind.WORK_REPORT and any(n.report.pk == pk for n in self.reports):
            return kind, {"work_report": pk}
        if kind == DocumentKind.OFFER and any(n.offer.pk == pk for n in self.offers):
            return kind, {"offer": pk}
        if kind == DocumentKind.PHOTOS and any(n.photo.pk == pk for n in self.photos):
            return kind, {"photo": pk}
        return None


def document_selection(*, order: Order, value: str) -> tuple[str, dict] | None:
    """The (kind, selection) of a menu value, if it names a document of this order; one small
    query, for the buttons that name one document (send it, attach it)."""
    kind, _sep, key = value.partition(":")
    if kind == DocumentKind.PHOTO_DOCUMENTATION:
        photos = order.photos.order_by("taken_at", "id")
        if key != ALL_PHOTOS:
            try:
                day = datetime.date.fromisoformat(key)
            except ValueError:
                return None
            photos = photos.filter(taken_at__date=day)
        ids = list(photos.values_list("pk", flat=True))
        return (kind, {"photos": ids}) if ids else None
    records: dict[str, tuple[QuerySet, str]] = {
        DocumentKind.WORK_REPORT: (order.work_reports.all(), "work_report"),
        DocumentKind.OFFER: (order.offers.all(), "offer"),
        DocumentKind.PHOTOS: (order.photos.all(), "photo"),
    }
    if not key.isdigit() or kind not in records:
        return None
    related, selection_key = records[kind]
    return (kind, {selection_key: int(key)}) if related.filter(pk=int(key)).exists() else None
