import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from organisatrice.api.selectors import api_token_find, api_tokens_list
from organisatrice.api.services import ApiTokenError, api_token_create, api_token_revoke


def when(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M") if moment else "—"


class Command(BaseCommand):
    help = "Creates, lists and revokes the bearer tokens of the integration API."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="a new token for a user; shown once")
        create.add_argument("username")
        create.add_argument("--name", default="API", help="what uses the token, e.g. ERP")
        create.add_argument("--days", type=int, help="the token expires after so many days (default: never)")
        listing = actions.add_parser("list", help="the tokens, newest first")
        listing.add_argument("--user", dest="username", help="only this user's tokens")
        listing.add_argument("--all", action="store_true", dest="include_revoked", help="revoked tokens too")
        revoke = actions.add_parser("revoke", help="a token, by its number or the start shown in the list")
        revoke.add_argument("reference")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _create(self, *, username: str, name: str, days: int | None, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Aucun utilisateur « {username} ».")
        if days is not None and days < 1:
            raise CommandError("--days : au moins 1 jour.")
        expires_at = timezone.now() + datetime.timedelta(days=days) if days is not None else None
        issued = api_token_create(user=user, name=name, expires_at=expires_at)
        until = f", expire le {when(expires_at)}" if expires_at else ""
        self.stdout.write(f"Jeton n° {issued.token.pk} pour {username} (« {issued.token.name} »{until}) :")
        self.stdout.write(issued.key)
        self.stderr.write("Copiez-le maintenant : il ne sera plus affiché, seul son SHA-256 est conservé.")

    def _list(self, *, username: str | None, include_revoked: bool, **options: Any) -> None:
        rows = [("N°", "Utilisateur", "Nom", "Début", "Créé", "Utilisé", "Expire", "Révoqué")]
        for token in api_tokens_list(username=username, include_revoked=include_revoked):
            rows.append(
                (
                    str(token.pk),
                    token.user.get_username(),
                    token.name,
                    f"{token.prefix}…",
                    when(token.created_at),
                    when(token.last_used_at),
                    when(token.expires_at),
                    when(token.revoked_at),
                )
            )
        if len(rows) == 1:
            self.stdout.write("Aucun jeton.")
            return
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())

    def _revoke(self, *, reference: str, **options: Any) -> None:
        token = api_token_find(reference=reference)
        if token is None:
            raise CommandError(f"Aucun jeton (ou plusieurs) ne correspond à « {reference} ».")
        try:
            api_token_revoke(token=token)
        except ApiTokenError as error:
            raise CommandError(str(error)) from error
        owner = token.user.get_username()
        self.stdout.write(self.style.SUCCESS(f"Jeton n° {token.pk} ({token.name}, {owner}) révoqué."))
