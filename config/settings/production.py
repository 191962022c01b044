from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env

DEBUG = False
# Production never falls back to the key generated for local use, nor starts with an empty one.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY.strip():
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value in production.")
# Never the stand-in derived from SECRET_KEY: a leaked SECRET_KEY must not open the secrets too.
SECRETS_ENCRYPTION_KEYS = env.list("SECRETS_ENCRYPTION_KEYS", default=[])
if not SECRETS_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "SECRETS_ENCRYPTION_KEYS must be set in production (one or more Fernet keys, comma-separated)."
    )

# WhiteNoise serves the collected static files (`manage.py collectstatic`), with hashed
# names that browsers may keep for ever; right after SecurityMiddleware, as it asks.
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE = [*MIDDLEWARE[: _security + 1], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[_security + 1 :]]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS only, behind a proxy that terminates TLS and says so in X-Forwarded-Proto (it must
# set that header itself, never pass on the client's).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 365 * 24 * 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
