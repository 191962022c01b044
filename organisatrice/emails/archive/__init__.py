"""The archive: an order's sent emails as sent, internal notes, downloads, retry and cancel, their backoffice.

May import: message, outbox, emails.policy/models/errors/downloads, orders, people.
"""
