import datetime

from django.core.management.base import BaseCommand, CommandParser

from organisatrice.documents.services import document_cache_prune


class Command(BaseCommand):
    help = "Forgets generated documents not opened for a number of days (they are rendered again on demand)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30, help="unused for this many days (default 30)")

    def handle(self, *args: object, days: int, **options: object) -> None:
        count = document_cache_prune(unused_for=datetime.timedelta(days=days))
        self.stdout.write(f"{count} document(s) forgotten.")
