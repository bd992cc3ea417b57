"""Sign in as the demo firm user over HTTP against the embedded server and see the firm."""

import json
import re
import sys
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
