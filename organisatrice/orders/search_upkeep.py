"""Keeps `Order.search_text` true when what it copies changes, whoever changes it.

Orders, clients, buildings, contacts and employees are edited in the backoffice, by the
demo data and by tests' factories, not through one service: the model signals are the one
place every save passes. They only refresh a derived copy, never decide anything. Bulk
writes (`bulk_create`, `update()`) send no signal: their authors call
`order_search_text_refresh` (as the demo data does).
"""

from typing import Any

from django.db.models import Model, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from organisatrice.clients.models import Building, Client, Contact
from organisatrice.people.models import Employee

from .models import Order
from .services import order_search_text_refresh

# What each model gives an order's words (orders/search.py): a save that changes none of
# these leaves search_text as it is.
SEARCHED_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Order: ("number", "title", "client", "responsible"),
    Client: ("name",),
    Building: ("name",),
    Contact: ("first_name", "last_name", "client", "building"),
    Employee: ("first_name", "last_name"),
}
_WORDS_BEFORE_SAVE = "_search_words_before_save"


def _words(model: type[Model], row: Model) -> dict[str, Any]:
    # Foreign keys by their column (client_id), so that nothing is read from the database.
    return {name: row.serializable_value(name) for name in SEARCHED_FIELDS[model]}


def _orders_of(instance: Model) -> list[int]:
    if isinstance(instance, Order):
        return [instance.pk]
    if isinstance(instance, Client):
        condition = Q(client_id=instance.pk)
    elif isinstance(instance, Building):
        condition = Q(buildings=instance.pk)
    elif isinstance(instance, Employee):
        condition = Q(responsible_id=instance.pk)
    elif isinstance(instance, Contact):
        condition = Q(client_id=instance.client_id) if instance.client_id else Q(buildings=instance.building_id)
    else:
        return []
    return list(Order.objects.filter(condition).values_list("pk", flat=True).distinct())


def _concerned(sender: type[Model], update_fields: frozenset[str] | None) -> bool:
    return update_fields is None or not update_fields.isdisjoint(SEARCHED_FIELDS[sender])


def _saving(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
    before = None
    if not raw and instance.pk is not None and _concerned(sender, kwargs.get("update_fields")):
        before = sender._default_manager.filter(pk=instance.pk).first()
    setattr(instance, _WORDS_BEFORE_SAVE, before)


def _saved(sender: type[Model], instance: Model, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    if raw or not _concerned(sender, kwargs.get("update_fields")):  # loaddata brings the column along
        return
    before = getattr(instance, _WORDS_BEFORE_SAVE, None)
    if not created and before is not None and _words(sender, before) == _words(sender, instance):
        return
    orders = _orders_of(instance)
    if isinstance(before, Contact) and (before.client_id, before.building_id) != (
        instance.client_id,  # type: ignore[attr-defined]
        instance.building_id,  # type: ignore[attr-defined]
    ):
        orders += _orders_of(before)  # the contact left those orders' client or building
    order_search_text_refresh(order_ids=orders)


# The orders a row about to be deleted is part of: after the delete, its links are gone too.
_ORDERS_BEFORE_DELETE = "_search_orders_before_delete"


def _deleting(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    setattr(instance, _ORDERS_BEFORE_DELETE, _orders_of(instance))


def _deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    order_search_text_refresh(order_ids=getattr(instance, _ORDERS_BEFORE_DELETE, []))


def _buildings_changed(
    sender: type[Model], instance: Model, action: str, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action == "pre_clear" and not isinstance(instance, Order):
        _deleting(sender, instance)
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Order):
        order_search_text_refresh(order_ids=[instance.pk])
    elif action == "post_clear":
        _deleted(sender, instance)
    else:  # building.orders.add(…): the orders are in pk_set
        order_search_text_refresh(order_ids=pk_set or [])


def search_upkeep_connect() -> None:
    for model in SEARCHED_FIELDS:
        pre_save.connect(_saving, sender=model, dispatch_uid=f"order_search_saving_{model.__name__}")
        post_save.connect(_saved, sender=model, dispatch_uid=f"order_search_saved_{model.__name__}")
    # A deleted order needs nothing, a client or an employee with orders cannot be deleted.
    for model in (Building, Contact):
        pre_delete.connect(_deleting, sender=model, dispatch_uid=f"order_search_deleting_{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"order_search_deleted_{model.__name__}")
    m2m_changed.connect(_buildings_changed, sender=Order.buildings.through, dispatch_uid="order_search_buildings")
