import pytest


@pytest.fixture(scope="session")
def _documents_work_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("documents-work")


@pytest.fixture(autouse=True)
def _work_dir(settings, _documents_work_dir):
    # One Typst workspace for the whole session: its files are content-addressed, and
    # keeping it keeps Typst's compilers (and their loaded fonts) warm between tests.
    settings.DOCUMENTS_WORK_DIR = _documents_work_dir
