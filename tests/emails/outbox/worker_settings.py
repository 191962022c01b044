"""Settings of the db_worker processes that the outbox tests start.

The test settings, with the media directory and the lease the test chose: the worker
must read the frozen messages where the test stored them.
"""

import os
from pathlib import Path

from config.settings.test import *  # noqa: F403

MEDIA_ROOT = Path(os.environ["TEST_MEDIA_ROOT"])
EMAIL_OUTBOX_LEASE_SECONDS = float(os.environ.get("TEST_OUTBOX_LEASE_SECONDS", "300"))
