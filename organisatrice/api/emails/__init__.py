"""The archive of sent emails through the API: lists, details, files, notes, retry and cancel."""
