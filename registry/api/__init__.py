"""Delivery over HTTP: REST (``rest/``), GraphQL (``graphql/``), one error table (``problems``)."""
