"""The message: recipients, the text and HTML bodies built from a draft's parts, and the MIME message.

May import: emails.models; people (the sender's name and signature). Nothing here touches the database.
"""
