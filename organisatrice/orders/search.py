"""What the order search compares: words without accents or case, and contacts' names too.

"Les Erables" must find "Les Érables", "Gerance Tissot" "Gérance Tissot", and a contact's
name the orders of that contact's client or building. Each order keeps its words,
normalised, in `Order.search_text` (number, title, client, buildings, responsible and the
contacts of the client and of the buildings), which `order_search_text_refresh`
(orders/services.py) keeps up to date; a search term, normalised the same way, is looked
for in that one column: on PostgreSQL through a trigram index, on SQLite by scanning an
index that holds just that column and the number (migration 0006).

Why not PostgreSQL's unaccent() on the live columns: it is only STABLE, so an index needs
an IMMUTABLE wrapper, which PostgreSQL then cannot inline; measured here, each call costs
about 17 µs, so a two-letter term (which no trigram index serves) scanned 5,000 titles in
85 ms, 1.7 s at 100,000 orders, and the contacts and buildings tables cost as much again.
One normalisation, in Python, also means both databases find exactly the same orders.
"""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from organisatrice.clients.models import Contact

from .models import Order

# Letters NFKD leaves whole, spelled as they are without their stroke or as two letters.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})


def search_normalise(text: str) -> str:
    """Lowercase, without accents: "Gérance Tissot" → "gerance tissot", "Straße" → "strasse"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LIGATURES)


def order_search_texts(*, order_ids: Iterable[int]) -> dict[int, str]:
    """The normalised words of each order: number, title, client, buildings, responsible, contacts."""
    ids = list(order_ids)
    words: dict[int, list[str]] = defaultdict(list)
    client_of: dict[int, int] = {}
    rows = Order.objects.filter(pk__in=ids).values_list(
        "pk", "number", "title", "client_id", "client__name", "responsible__first_name", "responsible__last_name"
    )
    for pk, number, title, client_id, client_name, first_name, last_name in rows:
        words[pk] += [number, title, client_name, first_name or "", last_name or ""]
        client_of[pk] = client_id
    buildings_of: dict[int, list[int]] = defaultdict(list)
    for order_id, building_id, name in Order.buildings.through.objects.filter(order_id__in=ids).values_list(
        "order_id", "building_id", "building__name"
    ):
        words[order_id].append(name)
        buildings_of[order_id].append(building_id)
    names_of_client: dict[int, list[str]] = defaultdict(list)
    names_of_building: dict[int, list[str]] = defaultdict(list)
    contacts = Contact.objects.filter(
        Q(client_id__in=set(client_of.values())) | Q(building_id__in={b for bs in buildings_of.values() for b in bs})
    ).values_list("client_id", "building_id", "first_name", "last_name")
    for client_id, building_id, first_name, last_name in contacts:
        target = names_of_client[client_id] if client_id else names_of_building[building_id]
        target += [first_name, last_name]
    for pk, client_id in client_of.items():
        words[pk] += names_of_client.get(client_id, [])
        for building_id in buildings_of.get(pk, []):
            words[pk] += names_of_building.get(building_id, [])
    return {pk: search_normalise(" ".join(w for w in words[pk] if w)) for pk in client_of}
