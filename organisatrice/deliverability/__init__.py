"""Deliverability: the company's DKIM keys, the signature of every message at Send, and the
check of the sending domain's DNS records (SPF evaluated, DKIM, DMARC, MX).

A domain app below emails: it may import people and the vault, never emails, the API or
the development tools. emails calls message_sign (signing.py) when it freezes a message.
"""
