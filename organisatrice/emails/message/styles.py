"""The inline styles of the email bodies, in one place: bodies.py writes them, and the pages'
Content-Security-Policy (config/settings/base.py) allows exactly these by hash, because the
composer's sandboxed preview inherits that policy. Plain strings, importable by the settings."""

PARAGRAPH = "margin:0 0 1em 0"
SIGNATURE = "color:#444;font-size:13px;margin-top:1.5em"
BODY = "font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#1d2733"

ALL = (PARAGRAPH, SIGNATURE, BODY)
