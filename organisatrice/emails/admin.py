"""The email app's backoffice, one module per room; Django's autodiscovery imports this one."""

from .archive import admin as archive_admin
from .delivery import admin as delivery_admin
from .templating import admin as templating_admin

__all__ = ["archive_admin", "delivery_admin", "templating_admin"]
