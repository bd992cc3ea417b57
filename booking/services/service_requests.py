"""Owned by the service-request work."""
