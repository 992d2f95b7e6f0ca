#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A browser stand-in for login tests, run as $BROWSER: fake-browser.py URL

It follows redirects with a cookie jar and submits the pages' forms (hidden inputs and all), as a person
who logs in and consents would, until it reaches the client's loopback redirect; it visits that and stops.
What it saw goes to $FAKE_BROWSER_LOG as JSON lines {"url", "status", "body"}.

$FAKE_BROWSER_MODE changes the person:
    consent       (default) follow everything
    tamper-state  replace the state in the loopback redirect with a forged one
    tamper-then-consent  visit the loopback redirect with a forged state, then as it came
    replay        visit the loopback redirect twice
    abort         refuse: press a form's "deny" button, or add abort=yes (oidc-provider's device confirmation:
                  "not my device")
    strip-iss     visit the loopback redirect without its iss parameter (RFC 9207)
    forge-iss     visit the loopback redirect with iss naming another server (a mix-up)
    ignore        do nothing at all (the login times out)
"""

import html.parser
import http.cookiejar
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


class FormParser(html.parser.HTMLParser):
    """The first form of a page that posts: its action, the inputs that carry a value, and its named submit
    buttons (a person presses one of them)."""

    def __init__(self):
        super().__init__()
        self.action, self.fields, self.submits, self.in_form, self.done = None, {}, [], False, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("method") or "get").lower() == "post":
            self.action, self.in_form = a.get("action") or "", True
        elif not self.in_form or not a.get("name") or a.get("value") is None:
            return
        elif tag == "button" or (tag == "input" and (a.get("type") or "").lower() == "submit"):
            self.submits.append((a["name"], a["value"]))
        elif tag == "input":
            self.fields[a["name"]] = a["value"]

    def pressed(self, refuse):
        """The button a consenting (or refusing) person presses, as a field; None when there is none."""
        no = [b for b in self.submits if b[1].lower() in ("deny", "no", "cancel", "reject")]
        yes = [b for b in self.submits if b not in no and b[0] != "abort"]
        choice = (no if refuse else yes)
        return choice[0] if choice else None

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def log(entry):
    path = os.environ.get("FAKE_BROWSER_LOG")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(entry) + "\n")


def fetch(opener, url, data=None):
    req = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode() if data is not None else None)
    try:
        with opener.open(req, timeout=15) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")
    except OSError as e:
        return 0, {}, str(e)


def main():
    url, mode = sys.argv[1], os.environ.get("FAKE_BROWSER_MODE", "consent")
    if mode == "ignore":
        return 0
    start = urllib.parse.urlsplit(url).netloc
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                         NoRedirect())
    data = None
    for _ in range(30):
        target = urllib.parse.urlsplit(url)
        if target.netloc != start:
            # The client's loopback redirect: the end of the journey.
            urls = [url] * (2 if mode == "replay" else 1)
            if mode in ("tamper-state", "tamper-then-consent"):
                q = [(k, "forged" if k == "state" else v) for k, v in urllib.parse.parse_qsl(target.query)]
                forged = urllib.parse.urlunsplit(target._replace(query=urllib.parse.urlencode(q)))
                urls = [forged] if mode == "tamper-state" else [forged, url]
            elif mode in ("strip-iss", "forge-iss"):
                q = [(k, "https://mix-up.example" if k == "iss" else v) for k, v in urllib.parse.parse_qsl(target.query)
                     if k != "iss" or mode == "forge-iss"]
                urls = [urllib.parse.urlunsplit(target._replace(query=urllib.parse.urlencode(q)))]
            for u in urls:
                status, _, body = fetch(opener, u)
                log({"url": u, "status": status, "body": body})
            return 0
        status, headers, body = fetch(opener, url, data)
        data = None
        location = headers.get("Location") or headers.get("location")
        if status in (301, 302, 303, 307) and location:
            url = urllib.parse.urljoin(url, location)
            continue
        form = FormParser()
        form.feed(body)
        if status == 200 and form.done:
            data = dict(form.fields)
            button = form.pressed(mode == "abort")
            if button:
                data[button[0]] = button[1]
            elif mode == "abort":
                data["abort"] = "yes"
            url = urllib.parse.urljoin(url, form.action or url)
            continue
        log({"url": url, "status": status, "body": body})
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
