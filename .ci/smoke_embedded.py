"""Sign in as the demo firm user over HTTP against the embedded server and see the firm."""

import json
import re
import sys
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

base = sys.argv[1]
jar = CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def get(path):
    with opener.open(base + path, timeout=20) as r:
        return r.read().decode()


page = get("/accounts/login/")
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
form = urlencode(
    {"csrfmiddlewaretoken": token, "login": "firm@demo.labshare.cn", "password": "labshare-demo"}
).encode()
req = urllib.request.Request(
    base + "/accounts/login/", data=form, headers={"Referer": base + "/accounts/login/"}
)
with opener.open(req, timeout=20) as r:
    home = r.read().decode()
assert "杭州青禾新材料科技有限公司" in home, "the demo firm's home did not show the firm"
req = urllib.request.Request(
    base + "/api/v1/auth/token/",
    data=json.dumps({"email": "firm@demo.labshare.cn", "password": "labshare-demo"}).encode(),
    headers={"Content-Type": "application/json"},
)
with urllib.request.urlopen(req, timeout=20) as r:
    tok = json.loads(r.read())["token"]
req = urllib.request.Request(base + "/api/v1/me/", headers={"Authorization": f"Token {tok}"})
with urllib.request.urlopen(req, timeout=20) as r:
    me = json.loads(r.read())
assert me["email"] == "firm@demo.labshare.cn", me
print("embedded default OK: signed in, home shows the firm, token works on /api/v1/me/")

# Book the first free hour of a demo instrument through the API: on SQLite the booking, its
# history and its announcement are three statements, and eager Celery delivers on commit.
auth = {"Authorization": f"Token {tok}", "Content-Type": "application/json"}


def api(path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, headers=auth)
    with urllib.request.urlopen(req, timeout=20) as r:
        return r.status, json.loads(r.read())


import datetime as dt  # noqa: E402

start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)
end = start + dt.timedelta(days=12)
booked = None
for item in api("/api/v1/instruments/?page_size=50")[1]["results"]:
    if item.get("requires_approval", True) or item.get("requires_training"):
        continue  # an instant booking, so the booker's own notification proves the delivery
    free = api(
        f"/api/v1/instruments/{item['id']}/availability/?"
        + urlencode({"start": start.isoformat(), "end": end.isoformat()})
    )[1]["free"]
    hour = next(
        (f for f in free
         if dt.datetime.fromisoformat(f["end"]) - dt.datetime.fromisoformat(f["start"])
         >= dt.timedelta(hours=1)),
        None,
    )  # fmt: skip
    if hour is None:
        continue
    s = dt.datetime.fromisoformat(hour["start"])
    try:
        status, booked = api("/api/v1/bookings/", {"instrument": item["id"], "start": s.isoformat(),
                             "end": (s + dt.timedelta(hours=1)).isoformat(), "purpose": "smoke"})  # fmt: skip
    except urllib.error.HTTPError as exc:  # a rule of this instrument (training, minimum…)
        print("  skipped", item["id"], exc.code, exc.read()[:120])
        continue
    assert status == 201, (status, booked)
    break
assert booked, "no demo instrument could be booked through the API"
notes = api("/api/v1/notifications/")[1]
kinds = {n["kind"] for n in notes["results"]}
assert booked["status"] == "approved" and "booking_booked" in kinds, (booked, kinds)
print(f"embedded booking OK: #{booked['id']} {booked['status']}, notifications {sorted(kinds)}")
