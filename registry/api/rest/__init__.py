"""REST endpoints, one module per noun; ``routes()`` lists them all in the order they match."""
