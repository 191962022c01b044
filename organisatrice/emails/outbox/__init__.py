"""The outbox: how a frozen email goes from Send to the relay's acceptance (see machine.py).

May import: emails.models, the content store, orders.services (timeline, work reports reported).
Never imports the composer or the archive; they call it.
"""
