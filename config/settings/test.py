from .base import *  # noqa: F403
from .base import BASE_DIR
from .local import INSTALLED_APPS, TEMPLATES  # noqa: F401 -- with the development tools

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The lockout library announces itself at every start; the tests need not hear it.
AXES_VERBOSE = False
