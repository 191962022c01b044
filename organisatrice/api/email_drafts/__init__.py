"""Drafts through the API: created from a template on an order, changed, previewed and sent."""
