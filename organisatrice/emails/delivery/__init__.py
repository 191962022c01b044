"""Delivery: what became of each recipient after the relay accepted the message.

Its modules, each importing only those above it in this list:

- reports.py: what a message of the bounce mailbox says (kind, one line per recipient).
- dsn.py: the RFC 3464 reader; classes.py: hard or soft, from the code and the words;
  text.py: a report's own text and the returned message's headers.
- vendors.py: the bounces that are not RFC 3464 (flufl.bounce, then the formats it does
  not know); parsing.py: bounce_parse, which puts them together.
- matching.py: which email a report is about (VERP token, ENVID, returned Message-ID).
- services.py: the writes: each recipient's status from the relay's answer and from the
  reports, the email's summary, the hard-bounced addresses, the timeline's lines.
- selectors.py: the reads for the pages, the API and the composer's warnings;
  reasons.py: why a recipient has its status, in the user's language.
- mailbox.py: the bounce mailbox over IMAP and one reading of it by UID; polling.py: the
  task that reads it every interval, its chain and its status line; receivers.py: what an
  acceptance announced by the outbox does here; admin.py: the mailbox in the backoffice.

May import: emails.models, the outbox (envelope tokens, its signal), orders.services (the
timeline), the content store, the vault and the Tasks API. Never the composer or the
archive: they read selectors.py (the composer's warning, the email page's badges).
"""
