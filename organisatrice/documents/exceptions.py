class DocumentError(ValueError):
    """A document cannot be made from what was asked; the message is for the user (French)."""
