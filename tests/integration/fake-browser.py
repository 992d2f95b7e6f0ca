#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A browser stand-in for login tests, run as $BROWSER: fake-browser.py URL

It follows redirects with a cookie jar and submits the pages' forms (hidden inputs and all), as a person
who logs in and consents would, until it reaches the client's loopback redirect; it visits that and stops.
What it saw goes to $FAKE_BROWSER_LOG as JSON lines {"url", "status", "body"}.

$FAKE_BROWSER_MODE changes the person:
    consent       (default) follow everything
    tamper-state  replace the state in the loopback redirect with a forged one
    replay        visit the loopback redirect twice
    abort         submit forms with abort=yes (oidc-provider's device confirmation: "not my device")
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
    """The first form of a page that posts: its action and every input that carries a value."""

    def __init__(self):
        super().__init__()
        self.action, self.fields, self.in_form, self.done = None, {}, False, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("method") or "get").lower() == "post":
            self.action, self.in_form = a.get("action") or "", True
        elif tag == "input" and self.in_form and a.get("name") and a.get("value") is not None:
            self.fields[a["name"]] = a["value"]

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
            if mode == "tamper-state":
                q = [(k, "forged" if k == "state" else v) for k, v in urllib.parse.parse_qsl(target.query)]
                url = urllib.parse.urlunsplit(target._replace(query=urllib.parse.urlencode(q)))
            for _ in range(2 if mode == "replay" else 1):
                status, _, body = fetch(opener, url)
                log({"url": url, "status": status, "body": body})
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
            if mode == "abort":
                data["abort"] = "yes"
            url = urllib.parse.urljoin(url, form.action or url)
            continue
        log({"url": url, "status": status, "body": body})
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
