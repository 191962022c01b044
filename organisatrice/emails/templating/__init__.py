"""Email templates: the placeholder catalogue, rendering in a sandbox under limits, the defaults, their backoffice.

rendering.py is the way in (template_part_problems at save, template_part_render for a
draft); sandbox.py, guards.py and limits.py hold the Jinja sandbox, the rewriting of a
parsed template and the budget of a render that keep a template from stalling the server.

May import: emails.models; orders, clients, people (for the placeholders' values).
"""
