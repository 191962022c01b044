"""Email templates: the placeholder catalogue, sandboxed rendering, the default templates, their backoffice.

May import: emails.models; orders, clients, people (for the placeholders' values).
"""
