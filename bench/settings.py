"""Bench-only settings: production settings plus a URL conf with the bare insert endpoint.
Never used by the app itself; gunicorn loads it only for the bare-endpoint measurement."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
