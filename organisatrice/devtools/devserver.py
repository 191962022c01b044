"""`make run`: the web server, the background worker and the development SMTP sink together.

Ctrl-C (or SIGTERM) stops all three.
"""

import argparse
import os
import signal
import subprocess
import sys
import time

DEMO_LOGINS = [
    ("admin", "superuser, backoffice"),
    ("dispatcher", "répartiteur: toutes les commandes"),
    ("coordinator", "coordinateur: toutes les commandes"),
    ("tech1", "technicien responsable, autorisation Mail"),
    ("tech2", "technicien sans autorisation Mail"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--smtp-port", type=int, default=8025)
    args = parser.parse_args()

    env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(args.smtp_port)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    manage = [sys.executable, "manage.py"]
    commands = {
        "smtp": [*manage, "mail_sink", "--host", "127.0.0.1", "--port", str(args.smtp_port)],
        "worker": [*manage, "db_worker", "--interval", "0.2"],
        "web": [*manage, "runserver", "--noreload", f"{args.host}:{args.port}"],
    }
    processes = {name: subprocess.Popen(command, env=env) for name, command in commands.items()}  # noqa: S603

    url = f"http://{args.host}:{args.port}/"
    print(f"\nOrganisatrice eMail: {url}")
    print("Comptes de démonstration (mot de passe « demo ») :")
    for login, what in DEMO_LOGINS:
        print(f"  {login:<12} {what}")
    print(f"eMails envoyés : serveur SMTP local sur le port {args.smtp_port}, visibles sur {url}dev/mail-sink/")
    print("Ctrl-C pour tout arrêter.\n", flush=True)

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"{name} stopped with exit code {process.returncode}; stopping the others.", file=sys.stderr)
                exit_code = process.returncode or 1
                stopping = True
        time.sleep(0.3)
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
