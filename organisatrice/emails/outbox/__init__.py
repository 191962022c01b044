"""The outbox: how a frozen email goes from Send to the relay's acceptance.

Its modules, each importing only those above it in this list:

- states.py: the statuses' one table of moves (claim, accept, postpone, fail, reclaim,
  late acceptance, cancel, retry), the outbox's errors and settings.
- results.py: an SMTP result (accepted, temporary, permanent) and the texts made from it.
- envelope.py: the envelope sender and recipients (Bcc included) of an email.
- smtp.py: one SMTP connection from the EMAIL_* settings, sending frozen bytes.
- signals.py: email_accepted, sent when an acceptance is stored (for apps above emails).
- worker.py: the worker's moves on the rows (claim a batch under a lease, start an
  attempt, store its result), in the transaction its caller opens; no task, no SMTP.
- tasks.py: the deliver_due_emails task, its wake-ups, and the delivery loop, which
  talks SMTP outside any transaction and records each result in one of its own.
- services.py: what people call through the composer, the archive and the API (enqueue,
  cancel, retry), with the checks the pages show (can cancel, can retry).

May import: emails.models, the content store (blob_read), orders.services (timeline, work
reports reported), and the Tasks API; never a backend's own tables. Never imports the
composer or the archive; they call services.py.
"""
