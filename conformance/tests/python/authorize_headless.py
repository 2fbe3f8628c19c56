#!/usr/bin/env python3
"""The user of an OAuth login, played headlessly against our authorization server.

Waits until a line of LOG holds an authorization URL of ISSUER (the official suite's
`authorization` command prints the URL it wants a browser to open), then signs in on the
server's login form (any user name, password `pw`), allows on its consent page (the form's
CSRF token read from the HTML), and opens the redirect back to the client's loopback
callback, as a browser would. Standard library only.

usage: authorize_headless.py LOG ISSUER [USER] [TIMEOUT_SECONDS]
"""
import html
import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def fetch(o, url, form=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        r = o.open(urllib.request.Request(url, data=data), timeout=10)
        return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:  # 3xx and 4xx arrive here with NoRedirect
        return e.code, e.headers, e.read().decode(errors="replace")


def hidden(page, name):
    m = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), page)
    if not m:
        raise SystemExit("authorize_headless: no %s field in the page:\n%s" % (name, page[:2000]))
    return html.unescape(m.group(1))


def absolute(issuer, location):
    return urllib.parse.urljoin(issuer + "/", location)


def main():
    log, issuer = sys.argv[1], sys.argv[2].rstrip("/")
    user = sys.argv[3] if len(sys.argv) > 3 else "alice"
    deadline = time.time() + (float(sys.argv[4]) if len(sys.argv) > 4 else 120)
    url = None
    while url is None:
        if time.time() > deadline:
            raise SystemExit("authorize_headless: no authorization URL appeared in " + log)
        try:
            with open(log, encoding="utf-8", errors="replace") as f:
                for line in f:
                    line = line.strip()
                    if line.startswith(issuer + "/authorize?"):
                        url = line
                        break
        except FileNotFoundError:
            pass
        time.sleep(0.1)
    o = opener()
    status, headers, body = fetch(o, url)
    if status == 303 and "/login?" in headers["Location"]:
        _, _, form = fetch(o, absolute(issuer, headers["Location"]))
        status, headers, body = fetch(o, issuer + "/login", {
            "username": user, "password": "pw",
            "return_to": hidden(form, "return_to"), "csrf": hidden(form, "csrf"),
        })
        if status != 303:
            raise SystemExit("authorize_headless: sign-in failed (%s): %s" % (status, body[:500]))
        status, headers, body = fetch(o, absolute(issuer, headers["Location"]))
    if status == 200:  # the consent page
        status, headers, body = fetch(o, issuer + "/consent", {
            "txn": hidden(body, "txn"), "csrf": hidden(body, "csrf"), "decision": "allow",
        })
    if status not in (302, 303):
        raise SystemExit("authorize_headless: expected the redirect back, got %s: %s" % (status, body[:500]))
    back = headers["Location"]
    print("authorize_headless: consented as %s; back to %s" % (user, back.split("?")[0]))
    status, _, _ = fetch(o, back)
    print("authorize_headless: the callback answered %s" % status)


if __name__ == "__main__":
    main()
