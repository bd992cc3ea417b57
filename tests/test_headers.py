"""Security headers and the production start's refusal of a weak secret key."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_pages_and_api_carry_a_permissions_policy(client):
    for path in ("/", "/instruments/", "/api/v1/instruments/"):
        policy = client.get(path).headers.get("Permissions-Policy", "")
        assert "camera=()" in policy and "geolocation=()" in policy, path


@pytest.mark.parametrize("key", ["short-key", "a" * 60])
def test_production_refuses_a_weak_secret_key(key):
    env = {**os.environ, "LABSHARE_PRODUCTION": "1", "DJANGO_SECRET_KEY": key}
    run = subprocess.run([sys.executable, "manage.py", "check"], env=env, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert run.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in run.stderr


def test_production_accepts_a_strong_secret_key():
    key = "k7#Qz9!pW2@xL5$mN8^bV4&cT1*rY6(hJ3)gF0_dS-eA+uI=oP?"
    env = {**os.environ, "LABSHARE_PRODUCTION": "1", "DJANGO_SECRET_KEY": key,
           "DJANGO_ALLOWED_HOSTS": "labshare.example.cn"}  # fmt: skip
    # The browser tests' conftest sets this for the whole session; production never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # Errors only: a fresh clone's deploy check may warn about things outside this test.
    run = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
