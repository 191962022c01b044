from .base import *  # noqa: F403
from .base import INSTALLED_APPS, TEMPLATES, env

DEBUG = env.bool("DEBUG", default=True)

# The development tools (seed_demo, the mail sink and its page): here and in the tests only.
INSTALLED_APPS = [*INSTALLED_APPS, "organisatrice.devtools"]
TEMPLATES = [
    {
        **TEMPLATES[0],
        "OPTIONS": {
            **TEMPLATES[0]["OPTIONS"],
            "context_processors": [
                *TEMPLATES[0]["OPTIONS"]["context_processors"],
                "organisatrice.devtools.context_processors.dev_sink",
            ],
        },
    }
]
