"""`manage.py bounce_parse FILE...`: what the bounce parser reads in each message, one JSON line per file."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisatrice.emails.delivery.parsing import MAX_PARSED_BYTES, bounce_parse
from organisatrice.emails.delivery.reports import ParsedReport, ReportKind

# A success DSN is not a bounce: the command's vocabulary calls it "other".
_KIND = {ReportKind.DELIVERED: "other"}


def report_json(path: str, parsed: ParsedReport) -> dict[str, Any]:
    return {
        "file": path,
        "kind": _KIND.get(parsed.kind, str(parsed.kind)),
        "recipients": [
            {"email": line.email, "status": line.status or None, "hard": line.hard} for line in parsed.recipients
        ],
    }


class Command(BaseCommand):
    help = "Lit des messages (fichiers .eml) comme la boîte des retours : une ligne JSON par fichier."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for name in options["files"]:
            try:
                with Path(name).open("rb") as handle:
                    raw = handle.read(MAX_PARSED_BYTES)
            except OSError as error:
                failed += 1
                self.stderr.write(f"{name}: illisible ({error.strerror or error})")
                continue
            self.stdout.write(json.dumps(report_json(name, bounce_parse(raw)), ensure_ascii=False))
        if failed:
            raise CommandError(f"{failed} fichier(s) illisible(s)")
