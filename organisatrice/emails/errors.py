"""The error every room raises for input it refuses, so that pages and the API show it the same way."""


class InputInvalid(ValueError):
    """`errors` maps each field to its messages, in the user's language."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors
