"""Bearer tokens issued through the API: POST /auth/token."""
