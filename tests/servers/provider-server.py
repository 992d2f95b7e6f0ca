#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Loopback emulators of the five documented token services (docs: providers.md), for tests only.

    provider-server.py PROVIDER [--port-file FILE] [--set KEY=VALUE]...

PROVIDER is one of flaik, floriday, flixcheck, flume, sharetribe; its endpoints, rules, config keys and
test credentials are in the docstring of providers/PROVIDER.py. --set changes a config key before the
server starts, exactly as POST /_control {"config": {KEY: VALUE}} does later; VALUE is parsed as JSON when
it parses, else taken as a string (--set access_ttl=5, --set error_body=text). The shared endpoints
(/_stats, /_control), counters and failure injections are described in emulator_common.py.
"""

import argparse
import importlib
import json
import os
import sys

sys.dont_write_bytecode = True      # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator_common import HttpError, parse_json_value, serve  # noqa: E402

PROVIDERS = ("flaik", "floriday", "flixcheck", "flume", "sharetribe")


def parse_set(text):
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"'{text}' is not KEY=VALUE")
    return key, parse_json_value(value)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("provider", choices=PROVIDERS)
    ap.add_argument("--port-file", help="write the bound port here")
    ap.add_argument("--set", dest="settings", type=parse_set, action="append", default=[],
                    metavar="KEY=VALUE", help="a config key, as /_control sets it")
    args = ap.parse_args()

    module = importlib.import_module("providers." + args.provider)
    config = json.loads(json.dumps(module.DEFAULT_CONFIG))

    def make_app(port):
        app = module.Emulator(config, f"http://127.0.0.1:{port}")
        try:
            app.set_config(dict(args.settings))
        except HttpError as e:
            ap.error(e.reply.body.decode())
        return app

    serve(make_app, args.port_file)


if __name__ == "__main__":
    main()
