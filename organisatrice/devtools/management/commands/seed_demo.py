import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from organisatrice.devtools.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_seed
from organisatrice.orders.models import Order


class Command(BaseCommand):
    help = "Loads realistic demo data: the company, demo accounts, clients, buildings, contacts and orders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--orders", type=int, default=200, help="number of orders to add (default: 200)")
        parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same data")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when orders already exist")
        parser.add_argument("--force", action="store_true", help="create the demo accounts even though DEBUG is off")

    def handle(self, *args: Any, orders: int, seed: int, if_empty: bool, force: bool, **options: Any) -> None:
        if orders < 0:
            raise CommandError("--orders doit être un nombre positif.")
        if if_empty and Order.objects.exists():
            self.stdout.write("Des commandes existent déjà : aucune donnée de démonstration ajoutée.")
            return
        # The demo accounts have a published password: never create them on a production
        # installation by accident.
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG est désactivé : seed_demo créerait des comptes de démonstration avec le mot de passe "
                f"« {DEMO_PASSWORD} ». Relancez avec --force si c'est vraiment voulu."
            )

        started = time.monotonic()
        with tqdm(total=orders, unit=" commandes", file=sys.stderr, disable=options["verbosity"] == 0) as bar:
            result = demo_seed(orders=orders, seed=seed, on_progress=bar.update)
        elapsed = time.monotonic() - started

        self.stdout.write(
            self.style.SUCCESS(
                f"{result.orders} commandes, {result.clients} clients, {result.buildings} bâtiments, "
                f"{result.contacts} contacts, {result.work_reports} rapports, {result.photos} photos et "
                f"{result.offers} offres créés en {elapsed:.1f} s."
            )
        )
        if result.accounts_created:
            self.stdout.write(
                f"Comptes créés (mot de passe « {DEMO_PASSWORD} ») : {', '.join(result.accounts_created)}."
            )
        else:
            self.stdout.write(f"Comptes de démonstration déjà présents : {', '.join(DEMO_ACCOUNTS)}.")
