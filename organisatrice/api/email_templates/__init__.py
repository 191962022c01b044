"""The active email templates: GET /email-templates."""
