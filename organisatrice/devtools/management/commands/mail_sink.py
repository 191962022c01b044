import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from django.core.management.base import BaseCommand

from organisatrice.devtools.sink import SinkHandler, sink_dir


class Command(BaseCommand):
    help = "Runs the development SMTP server, which keeps every message under var/mail-sink/."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        # aiosmtpd logs every SMTP command at INFO, which buries the web server's output.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        controller = Controller(SinkHandler(sink_dir()), hostname=host, port=port, data_size_limit=64 * 1024 * 1024)
        controller.start()
        self.stdout.write(f"SMTP sink listening on {host}:{port}, keeping messages in {sink_dir()}")
        try:
            asyncio.run(self._wait_forever())
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()

    async def _wait_forever(self) -> None:
        await asyncio.Event().wait()
