"""The Content-Security-Policy forbids inline script, and no template relies on it."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [p for p in ROOT.glob("*/templates") if ".venv" not in p.parts]
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _templates():
    for folder in TEMPLATE_DIRS:
        yield from folder.rglob("*.html")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/instruments/", "/accounts/login/", "/api/docs/"])
def test_pages_forbid_inline_script(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "'none'" in directives["object-src"] and "'none'" in directives["frame-ancestors"]


def test_no_template_carries_an_inline_handler_or_script():
    offenders = []
    for template in _templates():
        text = template.read_text(encoding="utf-8")
        if INLINE_HANDLER.search(text):
            offenders.append(f"{template.relative_to(ROOT)}: inline on…= handler")
        for attributes in SCRIPT_TAG.findall(text):
            # A script element is allowed from a file, or as data (json_script's type).
            if "src=" not in attributes and "application/json" not in attributes:
                offenders.append(f"{template.relative_to(ROOT)}: inline <script>")
    assert not offenders, "\n".join(offenders)
    assert len(list(_templates())) > 50  # the scan saw the templates


@pytest.mark.django_db
def test_api_docs_start_swagger_from_a_script_file(client):
    page = client.get("/api/docs/").content.decode()
    assert "<script src=" in page and "?script" in page
    script = client.get("/api/docs/?script")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
