"""The composer: drafts pre-filled from a template, their attachments, Send, and the pages for them.

May import: templating, message, outbox, emails.policy/models/errors, documents, orders, clients, people.
"""
