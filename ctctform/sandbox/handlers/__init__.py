"""Endpoint handlers, one module per resource kind; each takes a Context, returns a response."""
