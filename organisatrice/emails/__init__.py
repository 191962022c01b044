"""Email from an order: templates, the composer, the frozen message, the outbox, the archive.

One room per concern; a room imports only the rooms above it in this list, and the
shared modules at this level (models, policy, errors, downloads):

- templating/  typed templates, their placeholders, sandboxed rendering, the defaults, their backoffice
- message/     recipients, text and HTML bodies, the MIME message built at Send
- outbox/      the delivery state machine, the worker and its task, the SMTP transport
- composer/    drafts: pre-filling, editing, attachments, Send; its forms and pages
- archive/     sent emails on the order: notes, downloads, retry and cancel; its pages and backoffice

The apps below (orders, documents, people, clients) never import this one: the order
page reaches it through the template tags in templatetags/email_tags.py.
"""
