"""Names that tell an order's documents apart wherever they are listed: the order page, the
composer's menus, the API.

Two work reports of the same day, or photos with the same caption, must not read alike:
each report carries its number on the order (by date, then creation), its employees and
hours, and whether it was transmitted to the client; each photo its number and the time
it was taken; each offer its number, amount and validity.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from organisatrice.swiss_numbers import amount_format, quantity_format

from .models import Offer, Order, Photo, WorkReport
from .selectors import offer_totals, order_offers, order_photos, order_work_reports


def _date(value: datetime.date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else ""


@dataclass(frozen=True)
class NamedWorkReport:
    report: WorkReport
    number: int
    label: str

    @property
    def transmitted(self) -> bool:
        return self.report.reported_at is not None

    @property
    def title(self) -> str:
        """The label without the transmission status, for where a badge shows it."""
        return work_report_label(self.report, number=self.number, with_status=False)

    @property
    def short(self) -> str:
        return _("n° %(number)d du %(date)s") % {"number": self.number, "date": _date(self.report.date)}


@dataclass(frozen=True)
class NamedOffer:
    offer: Offer
    label: str
    expired: bool


@dataclass(frozen=True)
class NamedPhoto:
    photo: Photo
    number: int
    label: str


def work_report_label(report: WorkReport, *, number: int, with_status: bool = True) -> str:
    """« Rapport n° 2 du 27.11.2026 · Marie Rochat, Luc Girard · 7.5 h · non transmis »; reads
    the report's prefetched employees, and its lines unless its hours were annotated."""
    employees = ", ".join(employee.full_name for employee in report.employees.all())
    label = _("Rapport n° %(number)d du %(date)s") % {"number": number, "date": _date(report.date)}
    hours = _("%(hours)s h") % {"hours": quantity_format(report.total_hours)}
    status = work_report_status(report) if with_status else ""
    return " · ".join(part for part in (label, employees, hours, status) if part)


def work_report_status(report: WorkReport) -> str:
    if report.reported_at is None:
        return _("non transmis")
    return _("transmis le %(date)s") % {"date": _date(timezone.localdate(report.reported_at))}


def offer_expired(offer: Offer, *, today: datetime.date | None = None) -> bool:
    return offer.valid_until < (today or timezone.localdate())


def offer_label(offer: Offer, *, today: datetime.date | None = None) -> str:
    total = amount_format(offer_totals(offer=offer).total)
    validity = (_("expirée le %(date)s") if offer_expired(offer, today=today) else _("valable jusqu'au %(date)s")) % {
        "date": _date(offer.valid_until)
    }
    return _("Offre %(number)s du %(date)s · CHF %(total)s · %(validity)s") % {
        "number": offer.number,
        "date": _date(offer.date),
        "total": total,
        "validity": validity,
    }


def photo_label(photo: Photo, *, number: int) -> str:
    taken = formats.date_format(timezone.localtime(photo.taken_at), "d.m.Y H:i") if photo.taken_at else ""
    label = _("Photo n° %(number)d") % {"number": number}
    return " · ".join(part for part in (label, taken, photo.caption) if part)


def work_reports_named(*, order: Order, reports: Iterable[WorkReport] | None = None) -> list[NamedWorkReport]:
    """The order's reports, newest first, each numbered in the order they were made (1 is the first).

    `reports`, all of the order's, with their employees and their lines or hours
    (selectors.work_reports_with_hours), when already read."""
    reports = list(order_work_reports(order=order) if reports is None else reports)
    numbers = {r.pk: n for n, r in enumerate(sorted(reports, key=lambda r: (r.date, r.pk)), start=1)}
    return [
        NamedWorkReport(report=r, number=numbers[r.pk], label=work_report_label(r, number=numbers[r.pk]))
        for r in reports
    ]


def offers_named(*, order: Order, today: datetime.date | None = None) -> list[NamedOffer]:
    today = today or timezone.localdate()
    return [
        NamedOffer(offer=o, label=offer_label(o, today=today), expired=offer_expired(o, today=today))
        for o in order_offers(order=order)
    ]


def photos_named(*, order: Order, photos: Iterable[Photo] | None = None) -> list[NamedPhoto]:
    """The order's photos, numbered; `photos`, all of them in the same order, when a list needs
    only their names (not who took them, nor where)."""
    photos = list(order_photos(order=order) if photos is None else photos)
    return [NamedPhoto(photo=p, number=n, label=photo_label(p, number=n)) for n, p in enumerate(photos, start=1)]


def photo_set_label(photos: list[NamedPhoto]) -> str:
    """« 12 photos, du 20.11.2026 au 27.11.2026 »."""
    dates = sorted(timezone.localdate(p.photo.taken_at) for p in photos if p.photo.taken_at)
    count = _("%(count)d photos") % {"count": len(photos)} if len(photos) != 1 else _("1 photo")
    if not dates:
        return count
    if dates[0] == dates[-1]:
        return _("%(count)s du %(date)s") % {"count": count, "date": _date(dates[0])}
    return _("%(count)s, du %(first)s au %(last)s") % {
        "count": count,
        "first": _date(dates[0]),
        "last": _date(dates[-1]),
    }
