import importlib

import pytest
from django.urls import clear_url_caches


def _urls_rebuilt() -> None:
    import config.urls

    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def debug_urls(settings):
    """DEBUG on, and config.urls built again as DEBUG builds it: with the development tools' pages."""
    settings.DEBUG = True
    _urls_rebuilt()
    yield
    settings.DEBUG = False
    _urls_rebuilt()
