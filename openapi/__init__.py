"""The HTTP contract (openapi.yaml) and the GraphQL SDL (shipped as ``registry.resources.openapi``)."""
