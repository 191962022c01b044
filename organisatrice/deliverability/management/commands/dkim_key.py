"""`manage.py dkim_key create --domain D --selector S` and `manage.py dkim_key list`, for operators."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisatrice.deliverability.domain_check import DnsRecord
from organisatrice.deliverability.keys import KeyInvalid
from organisatrice.deliverability.models import DkimAlgorithm, DkimKey
from organisatrice.deliverability.services import dkim_key_create


class Command(BaseCommand):
    help = "Creates the DKIM key that signs a domain's mail, or lists the keys and which one signs."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser(
            "create",
            help="create a key, make it the domain's signing key, print the TXT record to publish",
        )
        create.add_argument("--domain", required=True, help="the sending domain, e.g. dupont-sa.ch")
        create.add_argument("--selector", required=True, help="a new name of your choice, e.g. org2026")
        create.add_argument(
            "--algorithm",
            choices=[choice.value for choice in DkimAlgorithm],
            default=DkimAlgorithm.RSA.value,
            help="rsa-sha256 (RSA 2048, the default) or ed25519-sha256 (in addition to an RSA key)",
        )
        create.add_argument(
            "--private-key-file",
            default="",
            help="an existing PEM key on this server, read at each Send instead of a new key stored encrypted",
        )
        actions.add_parser("list", help="the keys, their records and which one signs")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self._create(options)
        else:
            self._list()

    def _create(self, options: dict[str, Any]) -> None:
        try:
            key = dkim_key_create(
                domain=options["domain"],
                selector=options["selector"],
                algorithm=options["algorithm"],
                private_key_path=options["private_key_file"],
                signing=True,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except KeyInvalid as error:
            raise CommandError(str(error)) from error
        record = DnsRecord(key.record_name, "TXT", key.record_value)
        self.stdout.write(f"{key} signe désormais les eMails de {key.domain}. Publiez cet enregistrement TXT :\n")
        self.stdout.write(f"  nom :    {record.name}\n  type :   TXT\n  valeur : {record.value}\n")
        self.stdout.write(f"\nDans un fichier de zone :\n{record.zone_line}\n")

    def _list(self) -> None:
        keys = DkimKey.objects.order_by("domain", "-created_at")
        if not keys:
            self.stdout.write(
                "Aucune clé DKIM : les eMails partent sans signature. Créez-en une avec « dkim_key create ».\n"
            )
            return
        for key in keys:
            marker = "*" if key.status == DkimKey.Status.SIGNING else " "
            kept = f"fichier {key.private_key_path}" if key.private_key_path else "chiffrée"
            self.stdout.write(
                f"{marker} {key.record_name:<45} {key.algorithm:<15} {key.status:<8} {key.created_at:%Y-%m-%d} {kept}\n"
            )
        self.stdout.write("(* : signe les eMails)\n")
