"""Build the Simplified Chinese and English catalogues from the per-area dictionaries.

Source strings (msgids) are English, so English is complete by construction; the
Chinese text lives in ``i18n/zh_hans/<area>.json`` ({"English msgid": "中文"}), one
file per area so that work on different areas never edits the same file. This
script runs makemessages, fills the .po from all the dictionaries, reports what
is still missing, and compiles. Run it under a lock when several people work at
once:  flock /tmp/labshare-i18n.lock .venv/bin/python i18n/build.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
IGNORE = [".venv", "node_modules", "tests", "bench", "staticfiles", "media", "i18n"]


def load_dictionary() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((ROOT / "i18n" / "zh_hans").glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def main() -> int:
    args = [
        sys.executable,
        "manage.py",
        "makemessages",
        "-l",
        "zh_Hans",
        "-l",
        "en",
        "--no-location",
        "--no-obsolete",
        "-v0",
    ]
    for item in IGNORE:
        args += ["--ignore", item]
    subprocess.run(args, cwd=ROOT, check=True)
    zh = load_dictionary()
    po = polib.pofile(str(PO))
    missing = []
    for entry in po:
        if entry.msgid_plural:
            text = zh.get(entry.msgid)
            # No text: drop makemessages' fuzzy guess, which may lack the placeholders.
            entry.msgstr_plural = {0: text or ""}
        elif entry.msgid in zh:
            entry.msgstr = zh[entry.msgid]
        else:
            entry.msgstr = ""
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        if not (entry.msgstr or entry.msgstr_plural.get(0)):
            missing.append(entry.msgid)
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "compilemessages",
            "-v0",
            "--ignore",
            ".venv",
            "--ignore",
            "node_modules",
        ],
        cwd=ROOT,
        check=True,
    )
    if missing:
        print(f"{len(missing)} strings have no Chinese yet:")
        for msgid in missing:
            print("  ", json.dumps(msgid, ensure_ascii=False))
    else:
        print("Chinese catalogue complete.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
