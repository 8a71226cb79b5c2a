#!/usr/bin/python3
"""https_server.py - autoconfig / ISPDB web server for the discover tests.

Serves DOCROOT/<Host>/<path> (query ignored) over HTTPS on two ports of
127.0.0.1: one with a certificate from the suite's CA ("good"), one with
a self-signed certificate for the same names ("bad").  Next to a file:
  FILE.delay     seconds to wait before answering (float)
  FILE.redirect  answer 302 with this Location instead
Every request is appended to LOG as "host path?query".  The two ports are
written to PORTFILE as "GOOD BAD" once both listen.
"""
import argparse
import http.server
import os
import ssl
import sys
import threading
import time
import urllib.parse


def make_handler(docroot, log):
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def do_GET(self):
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            url = urllib.parse.urlsplit(self.path)
            with lock, open(log, "a") as f:
                f.write("%s %s\n" % (host, self.path))
            rel = os.path.normpath(url.path).lstrip("/")
            path = os.path.join(docroot, host, rel)
            if not path.startswith(os.path.join(docroot, host)):
                return self.answer(404, b"no")
            if os.path.exists(path + ".delay"):
                with open(path + ".delay") as f:
                    time.sleep(float(f.read().strip()))
            if os.path.exists(path + ".redirect"):
                with open(path + ".redirect") as f:
                    loc = f.read().strip()
                return self.answer(302, b"moved", loc)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    return self.answer(200, f.read())
            return self.answer(404, b"not found")

        def answer(self, code, body, location=None):
            self.send_response(code)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            if location:
                self.send_header("Location", location)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass

    return Handler


def serve(docroot, log, cert, key):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(docroot, log))
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("docroot")
    ap.add_argument("log")
    ap.add_argument("portfile")
    ap.add_argument("cert")
    ap.add_argument("key")
    ap.add_argument("badcert")
    ap.add_argument("badkey")
    ap.add_argument("--max-seconds", type=float, default=900)
    a = ap.parse_args()
    good = serve(a.docroot, a.log, a.cert, a.key)
    bad = serve(a.docroot, a.log, a.badcert, a.badkey)
    with open(a.portfile + ".tmp", "w") as f:
        f.write("%d %d\n" % (good, bad))
    os.rename(a.portfile + ".tmp", a.portfile)
    time.sleep(a.max_seconds)  # never outlive a crashed test for long
    sys.exit(0)


if __name__ == "__main__":
    main()
