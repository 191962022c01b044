from django.db.models import Q, QuerySet

from .models import ApiToken
from .services import PREFIX_LENGTH


def api_tokens_list(*, username: str | None = None, include_revoked: bool = False) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    if username:
        tokens = tokens.filter(user__username=username)
    if not include_revoked:
        tokens = tokens.filter(revoked_at__isnull=True)
    return tokens


def api_token_find(*, reference: str) -> ApiToken | None:
    """A token by its number or by the start of the token shown in lists."""
    reference = reference.strip().rstrip("…")
    condition = Q(prefix__startswith=reference[:PREFIX_LENGTH]) if len(reference) >= 8 else Q(pk__in=[])
    # Bounded: a longer number could not be a row id and would overflow the database's integer.
    if reference.isdigit() and len(reference) <= 18:
        condition |= Q(pk=int(reference))
    matches = list(ApiToken.objects.filter(condition)[:2])
    return matches[0] if len(matches) == 1 else None
