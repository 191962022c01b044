"""The message: recipients, the text and HTML bodies built from a draft's parts, and the MIME message.

mime.py builds it, headers.py writes by hand the headers the email package would not write
back exactly, checks.py proves the bytes say what was meant (or refuses with MessageUnsafe).

May import: emails.models, emails.errors; people (the sender's name and signature); documents and the
content store for the logo (logo.py). Nothing here touches the database.
"""
