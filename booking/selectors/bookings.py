"""Owned by the instrument-booking work."""
