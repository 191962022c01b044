from django.conf import settings
from django.http import HttpRequest


def dev_sink(request: HttpRequest) -> dict[str, bool]:
    """Whether the top bar links to the development SMTP sink's page."""
    return {"debug_sink": settings.DEBUG}
