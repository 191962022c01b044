"""Settings shared by every environment; the only module that reads the environment."""

import base64
import datetime
import hashlib
import secrets
from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

# Plain strings: importing them loads no app.
from organisatrice.emails.message import styles as email_body_styles

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def _local_secret_key() -> str:
    """A key generated once and kept under var/, so local sessions survive restarts."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The keys that encrypt the secrets the product keeps (organisatrice/vault.py); first one
# encrypts. Locally a key derived from SECRET_KEY stands in; production requires real ones.
SECRETS_ENCRYPTION_KEYS = env.list("SECRETS_ENCRYPTION_KEYS", default=[])
if not SECRETS_ENCRYPTION_KEYS:
    from organisatrice.vault import key_from_passphrase

    SECRETS_ENCRYPTION_KEYS = [key_from_passphrase(SECRET_KEY)]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Listed so that the API docs use the Swagger UI files bundled with ninja, not a CDN.
    "ninja",
    # Failed logins, counted by name and address, and the lockout after a few of them.
    "axes",
    "organisatrice.people",
    "organisatrice.clients",
    "organisatrice.orders",
    "organisatrice.documents",
    "organisatrice.deliverability",
    "organisatrice.emails",
    "organisatrice.sentcopy",
    "organisatrice.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "organisatrice.people.middleware.EmployeeLanguageMiddleware",
    "organisatrice.people.middleware.CompanySettingsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "organisatrice.api.middleware.ApiAnswerMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Turns a locked-out login into the lockout page (organisatrice/people/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; the busy timeout makes
    # concurrent writers wait for each other instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                # SQLite's default 2 MB page cache makes the order list's scans read the disk.
                "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
            ),
        }
    )
else:
    # A new PostgreSQL connection costs a few milliseconds per request; keep them open.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side binding lets psycopg prepare a query once it ran 5 times on a connection
    # (kept open above): PostgreSQL then reuses its plan instead of planning the joins again
    # at each request, which cost more than running them (0.95 of 1.2 ms for the composer's
    # draft). A pooler in transaction mode without prepared-statement support (PgBouncer
    # before 1.21) cannot keep them: POSTGRES_PREPARED_STATEMENTS=false there.
    if env.bool("POSTGRES_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Axes first: it refuses a locked-out name before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "organisatrice.people.backends.EmployeeBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "orders:list"
LOGOUT_REDIRECT_URL = "login"

# Password guessing (django-axes), on the login page, the backoffice's and POST /api/v1/auth/token:
# after AXES_FAILURE_LIMIT failures a name is locked out from that address for the cool-off.
# By name and address together, so that nobody can lock a colleague out by typing their
# name, nor an office behind one address lock everyone; a successful login forgets the
# earlier typing mistakes. The address is REMOTE_ADDR, or the proxy's word for it (below).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A try during the lock does not start the cool-off again: the lock ends when the page said.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "organisatrice.people.lockout.lockout_response"
# Behind TRUSTED_PROXY_COUNT reverse proxies (production: the TLS proxy), the client's address
# is the one the outermost of them appended to X-Forwarded-For; entries before it are the client's word.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "organisatrice.people.lockout.client_address"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Zurich"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))


def _style_hashes(*declarations: str) -> list[str]:
    return [f"'sha256-{base64.b64encode(hashlib.sha256(d.encode()).digest()).decode()}'" for d in declarations]


# Scripts and styles come from our static files only: no inline code, no eval (htmx is told
# so in base.html). The one exception are the style attributes of the email bodies
# (organisatrice/emails/message/styles.py), because the composer's sandboxed preview
# (srcdoc) inherits this policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": [
            "'unsafe-hashes'",
            *_style_hashes(*email_body_styles.ALL),
        ],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=8025)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# Django's own default is no timeout at all, which lets a silent server hang a worker.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=30.0)

# TLS client settings, for a server whose certificate a private CA signed, or that wants ours.
EMAIL_SSL_CAFILE = env.str("EMAIL_SSL_CAFILE", default="") or None
EMAIL_SSL_CERTFILE = env.str("EMAIL_SSL_CERTFILE", default="") or None
EMAIL_SSL_KEYFILE = env.str("EMAIL_SSL_KEYFILE", default="") or None

# The DNS server the domain check asks (organisatrice/deliverability), "host:port"; empty: the system's.
DNS_RESOLVER = env.str("DNS_RESOLVER", default="")

# The outbox (organisatrice/emails/outbox.py): how long a worker owns an email it claimed,
# how often a temporary failure is retried and how far apart, and how much one task takes.
EMAIL_OUTBOX_LEASE_SECONDS = env.int("EMAIL_OUTBOX_LEASE_SECONDS", default=300)
EMAIL_OUTBOX_MAX_ATTEMPTS = env.int("EMAIL_OUTBOX_MAX_ATTEMPTS", default=8)
EMAIL_OUTBOX_RETRY_BASE_SECONDS = env.int("EMAIL_OUTBOX_RETRY_BASE_SECONDS", default=30)
EMAIL_OUTBOX_RETRY_MAX_SECONDS = env.int("EMAIL_OUTBOX_RETRY_MAX_SECONDS", default=3600)
EMAIL_OUTBOX_BATCH_SIZE = env.int("EMAIL_OUTBOX_BATCH_SIZE", default=20)
EMAIL_OUTBOX_TASK_SECONDS = env.int("EMAIL_OUTBOX_TASK_SECONDS", default=60)
# The copy in each employee's Sent folder (organisatrice.sentcopy): seconds an IMAP server may
# take to answer; its retries follow the outbox's back-off and attempt limit.
SENT_COPY_IMAP_TIMEOUT = env.float("SENT_COPY_IMAP_TIMEOUT", default=30.0)

# Delivery (organisatrice/emails/delivery): each email's own envelope sender (VERP,
# local+token@domain; off for a relay that rewrites it), and the mailbox the bounces come
# back to, imap://user:password@host:port/FOLDER or imaps://… (user and password
# percent-encoded), read every EMAIL_BOUNCE_POLL_SECONDS. The backoffice may override both.
EMAIL_VERP = env.bool("EMAIL_VERP", default=True)
EMAIL_BOUNCE_MAILBOX = env.str("EMAIL_BOUNCE_MAILBOX", default="")
EMAIL_BOUNCE_POLL_SECONDS = env.int("EMAIL_BOUNCE_POLL_SECONDS", default=60)

# Photos as they leave: long edge in pixels and JPEG quality; smaller inside the photo
# documentation PDF, where 1,200 px still prints above 300 dpi.
DOCUMENTS_PHOTO_LONG_EDGE = env.int("DOCUMENTS_PHOTO_LONG_EDGE", default=2000)
DOCUMENTS_PHOTO_JPEG_QUALITY = env.int("DOCUMENTS_PHOTO_JPEG_QUALITY", default=85)
DOCUMENTS_PHOTO_DOCUMENTATION_LONG_EDGE = env.int("DOCUMENTS_PHOTO_DOCUMENTATION_LONG_EDGE", default=1200)
# Typst's working directory for templates and images.
DOCUMENTS_WORK_DIR = Path(env.str("DOCUMENTS_WORK_DIR", default=str(VAR_DIR / "documents")))

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
