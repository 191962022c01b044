"""A copy of each sent email in the employee's own Sent folder, appended over IMAP (opt-in).

Holds the employee's mailbox settings, the company's default server, and one copy record per
sent email. It listens to emails.outbox.signals.email_accepted and appends the archived bytes
in a task of its own. An upper app: it may import organisatrice.emails (models, the outbox's
signal and back-off, the delivery room's IMAP connection) and the apps below; emails never
imports it (tests/test_layout.py), it only reads the reverse relation `sent_copy_mailbox` /
`sent_copy` by name where it must (the composer's "Copie cachée pour moi" default).
"""
