"""The email app's backoffice, one module per room; Django's autodiscovery imports this one."""

from .archive import admin as archive_admin
from .templating import admin as templating_admin

__all__ = ["archive_admin", "templating_admin"]
