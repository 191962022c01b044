"""Orders as the API lists and shows them: GET /orders and /orders/{id}."""
