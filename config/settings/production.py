from .base import *  # noqa: F403
from .base import env

DEBUG = False
# Production never falls back to the key generated for local use.
SECRET_KEY = env.str("SECRET_KEY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
