import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from organisatrice.clients.models import Building, Client
from organisatrice.people.models import Employee

from .models import Order, OrderEvent


def order_number_next(*, year: int) -> str:
    """The next free human number of a year, such as 2026-00042."""
    prefix = f"{year}-"
    last = Order.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


def order_create(
    *,
    title: str,
    client: Client,
    buildings: list[Building] | None = None,
    responsible: Employee | None = None,
    description: str = "",
    status: str = Order.Status.NEW,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    actor: Employee | None = None,
) -> Order:
    year = timezone.localdate().year
    # Two employees creating orders at once may draw the same number; the unique
    # constraint tells, and the loser draws again.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                order = Order(
                    number=order_number_next(year=year),
                    title=title,
                    description=description,
                    client=client,
                    responsible=responsible,
                    status=status,
                    start_date=start_date,
                    end_date=end_date,
                )
                order.full_clean(validate_unique=False)
                order.save()
                if buildings:
                    order.buildings.set(buildings)
                OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.CREATED, actor=actor)
                return order
        except IntegrityError:
            continue
    raise RuntimeError("Could not allocate an order number")
