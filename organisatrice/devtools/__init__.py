"""Development tools, never part of the product: the demo data (`seed_demo`), the local SMTP
sink with its DEBUG-only pages, and the process runner that `make run` starts.

Only the local and test settings install this app, and config/urls.py routes its pages only
with DEBUG on. It may import every domain app; none of them imports it.
"""
