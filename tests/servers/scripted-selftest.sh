#!/bin/bash
# scripted-selftest.sh - self-test of tests/servers/scripted.py and of the
# scripts in tests/servers/scripts/, with TAP output.
#
# Each test starts scripted.py in the background (its own temporary
# directory, a throw-away self-signed certificate), waits for the port
# file, drives the server with a small Python client or openssl s_client,
# and checks what the server sent, what it recorded, and that it exited by
# itself with status 0.  Every process started here is killed on exit.
#
# Environment: PYTHON3 (default /usr/bin/python3), OPENSSL (default openssl).

set -u

here=$(cd "$(dirname "$0")" && pwd)
SCRIPTED=$here/scripted.py
SCRIPTS=$here/scripts
PYTHON=${PYTHON3:-/usr/bin/python3}
OPENSSL=${OPENSSL:-openssl}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scripted-selftest.XXXXXX") || exit 99
pids=()
count=0
failed=0

cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null
    done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ok STATUS DESCRIPTION: one TAP result line.
ok() {
    count=$((count + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $count - $2"
    else
        echo "not ok $count - $2"
        failed=$((failed + 1))
    fi
}

# start NAME SCRIPT [scripted.py options]: start a server in $tmp/NAME and
# wait (at most 5 s) for its port file.  Sets DIR, PID and PORT.
start() {
    local name=$1 script=$2 i
    shift 2
    DIR=$tmp/$name
    mkdir -p "$DIR"
    "$PYTHON" "$SCRIPTED" --script "$script" --port-file "$DIR/port" \
        --record "$DIR/rec" --cert "$tmp/cert.pem" --key "$tmp/key.pem" \
        --max-seconds 15 "$@" 2>"$DIR/err" &
    PID=$!
    pids+=("$PID")
    PORT=
    for ((i = 0; i < 100; i++)); do
        if [ -s "$DIR/port" ]; then
            PORT=$(cat "$DIR/port")
            return 0
        fi
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "# $name: no port file"
    sed 's/^/#   /' "$DIR/err"
    return 1
}

# exited SECONDS: the last server ends by itself within SECONDS (an
# integer), with status 0; otherwise it is killed.
exited() {
    local i rc
    for ((i = 0; i < $1 * 20; i++)); do
        if ! kill -0 "$PID" 2>/dev/null; then
            wait "$PID"
            rc=$?
            [ "$rc" -eq 0 ] || echo "# server exit status $rc"
            return "$rc"
        fi
        sleep 0.05
    done
    echo "# server still running after $1 s"
    kill "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    return 1
}

# client: run the Python client code on stdin (argv: PORT DIR).
client() {
    PYTHONPATH=$tmp "$PYTHON" - "$PORT" "$DIR"
}

# has FILE STRING / lacks FILE STRING: fixed-string search in a record.
has() { grep -aqF -- "$2" "$1" || { echo "# $1 lacks '$2'"; return 1; }; }
lacks() { ! grep -aqF -- "$2" "$1" || { echo "# $1 has '$2'"; return 1; }; }

# ---------------------------------------------------------------- setup --

"$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 \
    -subj /CN=localhost >/dev/null 2>&1 || {
    echo "Bail out! cannot make a test certificate with $OPENSSL"
    exit 99
}

cat >"$tmp/client.py" <<'EOF'
"""Client helpers for scripted-selftest.sh (argv: PORT DIR)."""
import os
import socket
import ssl
import sys
import time

PORT = int(sys.argv[1])
DIR = sys.argv[2]


def fail(msg):
    print("# " + str(msg).replace("\n", "\n# "))
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def record(name="rec"):
    with open(os.path.join(DIR, name), "rb") as f:
        return f.read()


def wait_record(data, seconds=2.0):
    """True once the record file contains data."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if data in record():
            return True
        time.sleep(0.05)
    return False


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Client:
    def __init__(self, timeout=5.0, tls=False):
        self.sock = socket.create_connection(("127.0.0.1", PORT), timeout)
        if tls:
            self.sock = tls_context().wrap_socket(self.sock)
        self.buf = b""

    def send(self, text):
        self.sock.sendall(text.encode() if isinstance(text, str) else text)

    def recv(self):
        """One read, past the line buffer (which must be empty)."""
        check(not self.buf, f"unexpected buffered bytes {self.buf!r}")
        return self.sock.recv(1 << 20)

    def line(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(1 << 20)
            if not data:
                fail(f"EOF; partial line {self.buf[:100]!r}")
            self.buf += data
        end = self.buf.index(b"\n") + 1
        line, self.buf = self.buf[:end], self.buf[end:]
        return line

    def lines_until(self, last):
        """Lines up to and including the first one for which last() holds."""
        lines = [self.line()]
        while not last(lines[-1]):
            lines.append(self.line())
        return b"".join(lines)

    def imap(self, tag, command):
        self.send(f"{tag} {command}\r\n")
        return self.lines_until(lambda l: l.startswith(tag.encode() + b" "))

    def smtp(self, command):
        self.send(command + "\r\n")
        return self.lines_until(lambda l: l[3:4] != b"-")

    def pop3_multi(self, command):
        self.send(command + "\r\n")
        return self.lines_until(lambda l: l in (b".\r\n",) or l.startswith(b"-ERR"))

    def starttls(self):
        check(not self.buf, f"bytes after the STARTTLS reply: {self.buf!r}")
        self.sock = tls_context().wrap_socket(self.sock)

    def expect_eof(self):
        data = self.buf + self.sock.recv(1 << 20)
        check(data == b"", f"expected EOF, got {data[:100]!r}")

    def close(self):
        self.sock.close()
EOF

# ---------------------------------------------------------------- tests --

# Every shipped script is valid.
for script in "$SCRIPTS"/*.script; do
    "$PYTHON" "$SCRIPTED" --script "$script" --check 2>"$tmp/check.err"
    rc=$?
    [ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/check.err"
    ok "$rc" "script $(basename "$script") is valid"
done

# Invalid scripts and invocations exit 2.
printf 'send ok\\r\\n\nsend bad \\q escape\n' >"$tmp/bad-escape.script"
printf 'send ok\\r\\n\nfrobnicate 3\n' >"$tmp/bad-command.script"
printf 'tls\n' >"$tmp/tls.script"
"$PYTHON" "$SCRIPTED" --script "$tmp/bad-escape.script" --check 2>"$tmp/bad.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q 'line 2' "$tmp/bad.err"
ok $? "bad escape: exit 2 naming line 2 (got $rc)"
"$PYTHON" "$SCRIPTED" --script "$tmp/bad-command.script" --check 2>/dev/null
rc=$?
[ "$rc" -eq 2 ]
ok $? "unknown command: exit 2 (got $rc)"
"$PYTHON" "$SCRIPTED" --script "$tmp/tls.script" --port-file "$tmp/x.port" \
    --record "$tmp/x.rec" 2>/dev/null
rc=$?
[ "$rc" -eq 2 ] && [ ! -e "$tmp/x.port" ]
ok $? "tls without --cert/--key: exit 2, no port file (got $rc)"

# The script language itself: escapes, $N groups, sleep, recv, reset.
cat >"$tmp/lang.script" <<'EOF'
# escapes, groups, sleep, reset
send hello\x20world\t\e\\\$1 caf\xc3\xa9 é\r\n
expect ^(\w+) (\w+)$
send $2 $1 [$3]\r\n
recv
sleep 0.5
send slept\r\n
reset
EOF
start lang "$tmp/lang.script" && client <<'EOF'
from client import *
c = Client()
line = c.line()
check(line == "hello world\t\x1b\\$1 café é\r\n".encode(), f"escapes: {line!r}")
c.send("foo bar\r\nanything\r\n")
t0 = time.monotonic()
line = c.line()
check(line == b"bar foo []\r\n", f"groups: {line!r}")
line = c.line()
took = time.monotonic() - t0
check(line == b"slept\r\n" and 0.4 < took < 1.5, f"sleep: {line!r} after {took:.2f} s")
try:
    data = c.sock.recv(100)
    fail(f"expected a reset, got {data!r}")
except ConnectionResetError:
    pass
check(record() == b"foo bar\r\nanything\r\n", f"record: {record()!r}")
EOF
ok $? "language: escapes, \$N groups, recv, sleep, reset"
exited 3
ok $? "language: server exits by itself"

# imap-starttls-injection, correct client: sees the injected bytes in the
# same read as the STARTTLS reply and hangs up before TLS.
start imap-inj "$SCRIPTS/imap-starttls-injection.script" && client <<'EOF'
from client import *
c = Client()
greeting = c.line()
check(b"STARTTLS" in greeting, f"greeting {greeting!r}")
caps = c.imap("a1", "CAPABILITY")
check(b"* CAPABILITY IMAP4rev1 STARTTLS" in caps and b"a1 OK" in caps, f"CAPABILITY {caps!r}")
c.send("a2 STARTTLS\r\n")
data = c.recv()
check(data == b"a2 OK Begin TLS now\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n",
      f"STARTTLS reply not in one read with the injection: {data!r}")
c.close()
EOF
ok $? "imap-starttls-injection: reply and injected response arrive in one read"
exited 3
ok $? "imap-starttls-injection: server exits after the client hangs up"
grep -q 'TLS handshake failed' "$DIR/err" && cmp -s "$DIR/rec" "$DIR/rec.plain" &&
    has "$DIR/rec.plain" "a2 STARTTLS"
ok $? "imap-starttls-injection: handshake failure logged, all bytes plaintext"

# imap-starttls-injection, naive client (s_client swallows the injection
# in its single read and carries on): the TLS half of the script works.
start imap-inj-naive "$SCRIPTS/imap-starttls-injection.script" &&
    { sleep 1; printf 'b1 CAPABILITY\r\n'; sleep 0.3; printf 'b2 LOGOUT\r\n'; sleep 0.5; } |
    timeout 10 "$OPENSSL" s_client -starttls imap -connect "127.0.0.1:$PORT" \
        -nocommands >"$DIR/out" 2>&1
has "$DIR/out" "b1 OK CAPABILITY completed" && has "$DIR/out" "b2 OK LOGOUT completed"
ok $? "imap-starttls-injection: TLS part serves s_client -starttls imap"
exited 3 && has "$DIR/rec" "b1 CAPABILITY" && lacks "$DIR/rec.plain" "b1 CAPABILITY" &&
    has "$DIR/rec.plain" ". STARTTLS"
ok $? "imap-starttls-injection: post-TLS bytes only in RFILE, server exited"

# smtp-starttls-injection: injection in the same read; then a naive client
# carries on through TLS, AUTH and QUIT.
start smtp-inj "$SCRIPTS/smtp-starttls-injection.script" && client <<'EOF'
from client import *
c = Client()
check(c.line().startswith(b"220 "), "greeting")
ehlo = c.smtp("EHLO client.example")
check(b"250-STARTTLS\r\n" in ehlo, f"EHLO {ehlo!r}")
c.send("STARTTLS\r\n")
data = c.recv()
check(data == b"220 2.0.0 Ready\r\n250 AUTH PLAIN\r\n", f"STARTTLS reply {data!r}")
c.starttls()
ehlo = c.smtp("EHLO client.example")
check(b"250-AUTH PLAIN LOGIN" in ehlo, f"EHLO in TLS {ehlo!r}")
auth = c.smtp("AUTH PLAIN AHVzZXIAU01UUHNlY3JldA==")
check(auth.startswith(b"235 "), f"AUTH {auth!r}")
check(c.smtp("QUIT").startswith(b"221 "), "QUIT")
c.expect_eof()
EOF
ok $? "smtp-starttls-injection: 220 + injected 250 in one read, TLS part works"
exited 3 && has "$DIR/rec" "AUTH PLAIN AHVz" && lacks "$DIR/rec.plain" "AUTH PLAIN" &&
    has "$DIR/rec.plain" "STARTTLS"
ok $? "smtp-starttls-injection: AUTH only after TLS, server exited"

# pop3-starttls-injection (the optional CAPA is skipped: answer lets the
# STLS line through).
start pop3-inj "$SCRIPTS/pop3-starttls-injection.script" && client <<'EOF'
from client import *
c = Client()
check(c.line() == b"+OK POP3 server ready\r\n", "greeting")
c.send("STLS\r\n")
data = c.recv()
check(data == b"+OK Begin TLS negotiation\r\n+OK injected\r\n", f"STLS reply {data!r}")
c.starttls()
capa = c.pop3_multi("CAPA")
check(b"SASL PLAIN\r\n" in capa, f"CAPA {capa!r}")
c.send("USER joe\r\n")
check(c.line() == b"+OK\r\n", "USER")
c.send("PASS pop3Secret\r\n")
check(c.line() == b"+OK\r\n", "PASS")
c.send("QUIT\r\n")
check(c.line() == b"+OK Bye\r\n", "QUIT")
c.expect_eof()
EOF
ok $? "pop3-starttls-injection: +OK + injected +OK in one read, TLS part works"
exited 3 && has "$DIR/rec" "PASS pop3Secret" && lacks "$DIR/rec.plain" "pop3Secret"
ok $? "pop3-starttls-injection: password only after TLS, server exited"

# imap-starttls-refused: NO, then silent but recording (flushed at once).
start imap-refused "$SCRIPTS/imap-starttls-refused.script" && client <<'EOF'
from client import *
c = Client()
check(b"STARTTLS" in c.line(), "greeting")
caps = c.imap("a1", "CAPABILITY")
check(b"STARTTLS" in caps, f"CAPABILITY {caps!r}")
reply = c.imap("a2", "STARTTLS")
check(reply == b"a2 NO STARTTLS unavailable\r\n", f"STARTTLS reply {reply!r}")
c.send("a3 NOOP\r\n")
check(wait_record(b"a3 NOOP\r\n"), f"not recorded while connected: {record()!r}")
c.close()
EOF
ok $? "imap-starttls-refused: NO to STARTTLS, later bytes recorded immediately"
exited 2
ok $? "imap-starttls-refused: silent ends when the client hangs up"

start smtp-refused "$SCRIPTS/smtp-starttls-refused.script" && client <<'EOF'
from client import *
c = Client()
check(c.line().startswith(b"220 "), "greeting")
check(b"250-STARTTLS" in c.smtp("EHLO client.example"), "EHLO")
reply = c.smtp("STARTTLS")
check(reply.startswith(b"454 4.7.0 "), f"STARTTLS reply {reply!r}")
c.close()
EOF
ok $? "smtp-starttls-refused: 454 to STARTTLS"
exited 2
ok $? "smtp-starttls-refused: server exits"

start pop3-refused "$SCRIPTS/pop3-stls-refused.script" && client <<'EOF'
from client import *
c = Client()
check(c.line().startswith(b"+OK"), "greeting")
capa = c.pop3_multi("CAPA")
check(b"STLS\r\n" in capa, f"CAPA {capa!r}")
c.send("STLS\r\n")
reply = c.line()
check(reply.startswith(b"-ERR"), f"STLS reply {reply!r}")
c.close()
EOF
ok $? "pop3-stls-refused: -ERR to STLS"
exited 2
ok $? "pop3-stls-refused: server exits"

# No STARTTLS offered at all.
start imap-nostarttls "$SCRIPTS/imap-no-starttls.script" && client <<'EOF'
from client import *
c = Client()
check(c.line() == b"* OK IMAP4rev1 server ready\r\n", "greeting")
caps = c.imap("a1", "CAPABILITY")
check(b"STARTTLS" not in caps and b"AUTH=PLAIN" in caps, f"CAPABILITY {caps!r}")
bye = c.imap("a2", "LOGOUT")
check(bye.endswith(b"a2 OK LOGOUT completed\r\n"), f"LOGOUT {bye!r}")
c.expect_eof()
EOF
ok $? "imap-no-starttls: CAPABILITY without STARTTLS, LOGOUT answered"
exited 2
ok $? "imap-no-starttls: server exits"

start smtp-nostarttls "$SCRIPTS/smtp-no-starttls.script" && client <<'EOF'
from client import *
c = Client()
check(c.line().startswith(b"220 "), "greeting")
ehlo = c.smtp("EHLO client.example")
check(b"STARTTLS" not in ehlo and b"AUTH PLAIN" in ehlo, f"EHLO {ehlo!r}")
check(c.smtp("QUIT").startswith(b"221 "), "QUIT")
c.expect_eof()
EOF
ok $? "smtp-no-starttls: EHLO without STARTTLS, QUIT answered"
exited 2
ok $? "smtp-no-starttls: server exits"

start pop3-nostls "$SCRIPTS/pop3-no-stls.script" && client <<'EOF'
from client import *
c = Client()
check(c.line().startswith(b"+OK"), "greeting")
capa = c.pop3_multi("CAPA")
check(b"STLS" not in capa and capa.endswith(b"UIDL\r\n.\r\n"), f"CAPA {capa!r}")
c.send("QUIT\r\n")
check(c.line().startswith(b"+OK"), "QUIT")
c.expect_eof()
EOF
ok $? "pop3-no-stls: CAPA without STLS, QUIT answered"
exited 2
ok $? "pop3-no-stls: server exits"

# Greetings that a client must refuse.
greeting_test() {  # greeting_test NAME SCRIPT PYTHON-EXPRESSION-ON-g
    start "$1" "$SCRIPTS/$2" && client <<EOF
from client import *
c = Client()
g = c.line()
check($3, f"greeting {g!r}")
c.close()
EOF
    ok $? "$2: greeting"
    exited 2
    ok $? "$2: server exits after the client hangs up"
}
greeting_test preauth imap-preauth.script \
    'g == b"* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in\r\n"'
greeting_test imap-smtp imap-port-smtp-greeting.script \
    'g == b"220 mail.example ESMTP\r\n"'
greeting_test smtp-imap smtp-port-imap-greeting.script \
    'g.startswith(b"* OK ")'

# silent: says nothing, records, ends when the client hangs up.  Before
# the connection, a second server cannot bind the same port (exit 1).
start silent "$SCRIPTS/silent.script"
"$PYTHON" "$SCRIPTED" --script "$SCRIPTS/silent.script" --port "$PORT" \
    --port-file "$tmp/busy.port" --record "$tmp/busy.rec" --max-seconds 3 \
    2>"$tmp/busy.err"
rc=$?
[ "$rc" -eq 1 ] && [ ! -e "$tmp/busy.port" ] && grep -q 'cannot listen' "$tmp/busy.err"
ok $? "port already in use: exit 1, no port file (got $rc)"
client <<'EOF'
from client import *
c = Client(timeout=0.5)
try:
    fail(f"server spoke: {c.sock.recv(100)!r}")
except TimeoutError:
    pass
c.send("hello?\r\n")
check(wait_record(b"hello?\r\n"), f"record {record()!r}")
check(record("rec.plain") == b"hello?\r\n", f"rec.plain {record('rec.plain')!r}")
c.close()
EOF
ok $? "silent: sends nothing, records what the client says"
exited 2
ok $? "silent: server exits after the client hangs up"

# --max-seconds: the server gives up on a client that stays connected.
start maxsec "$SCRIPTS/silent.script" --max-seconds 1 && client <<'EOF'
from client import *
c = Client(timeout=4)
t0 = time.monotonic()
data = c.sock.recv(100)
took = time.monotonic() - t0
check(data == b"" and 0.5 < took < 2.5, f"got {data!r} after {took:.2f} s")
EOF
ok $? "--max-seconds 1: connection closed after about 1 s"
exited 2 && grep -q 'max-seconds' "$DIR/err"
ok $? "--max-seconds 1: server exits with status 0 and says why"

# drip-greeting: one byte per second (only the first three are awaited).
start drip "$SCRIPTS/drip-greeting.script" && client <<'EOF'
from client import *
c = Client()
t0 = time.monotonic()
got = []
for _ in range(3):
    got.append((c.sock.recv(100), time.monotonic() - t0))
check([d for d, _ in got] == [b"*", b" ", b"O"], f"bytes {got!r}")
check(got[0][1] < 0.5 and 0.7 < got[1][1] < 1.5 and 1.7 < got[2][1] < 2.6,
      f"timing {got!r}")
c.close()
EOF
ok $? "drip-greeting: one byte at a time, about 1 s apart"
exited 4
ok $? "drip-greeting: server stops quietly after the client hangs up"

# endless-line: "* OK " and 2,000,000 "A" without CR/LF, then EOF.
start endless "$SCRIPTS/endless-line.script" && client <<'EOF'
from client import *
c = Client()
data = bytearray()
while chunk := c.sock.recv(1 << 20):
    data += chunk
check(len(data) == 5 + 2000000, f"{len(data)} bytes")
check(data.startswith(b"* OK A") and data.count(b"A") == 2000000, "content")
check(b"\r" not in data and b"\n" not in data, "has CR or LF")
EOF
ok $? "endless-line: 2 MB without CR/LF, then close"
exited 2
ok $? "endless-line: server exits"

start endless-gone "$SCRIPTS/endless-line.script" && client <<'EOF'
from client import *
c = Client()
check(c.sock.recv(1000).startswith(b"* OK"), "start")
c.close()
EOF
exited 3
ok $? "endless-line: flood stops quietly when the client hangs up"

# huge-line: one 1 MiB line ending in CRLF.
start huge "$SCRIPTS/huge-line.script" && client <<'EOF'
from client import *
c = Client()
line = c.line()
check(len(line) == 5 + 1048576 + 2 and line.endswith(b"A\r\n"), f"{len(line)} bytes")
c.expect_eof()
EOF
ok $? "huge-line: one 1 MiB line ending in CRLF"
exited 2
ok $? "huge-line: server exits"

# ansi-greeting: raw control sequences, then a normal exchange.
start ansi "$SCRIPTS/ansi-greeting.script" && client <<'EOF'
from client import *
c = Client()
g = c.line()
for seq in (b"\x1b[2J", b"\x1b]0;pwned\x07", b"\xe2\x80\xae", b"\xc2\x9b31m", b" \x9b31m"):
    check(seq in g, f"{seq!r} not in {g!r}")
check(b"STARTTLS" not in c.imap("a1", "CAPABILITY"), "CAPABILITY")
check(c.imap("a2", "LOGOUT").endswith(b"a2 OK LOGOUT completed\r\n"), "LOGOUT")
c.expect_eof()
EOF
ok $? "ansi-greeting: ESC, OSC/BEL, U+202E, C1 CSI in the greeting; session ends"
exited 2
ok $? "ansi-greeting: server exits"

# tls-greeting-plain: a TLS client fails; its ClientHello is recorded as
# plaintext; a second, plaintext connection reads the greeting.
start tlsplain "$SCRIPTS/tls-greeting-plain.script" --connections 2 && client <<'EOF'
from client import *
try:
    Client(tls=True)
    fail("TLS handshake succeeded")
except ssl.SSLError:
    pass
check(wait_record(b"\x16\x03"), "no ClientHello recorded")
check(record("rec.plain").startswith(b"\x16\x03"), "ClientHello not in rec.plain")
c = Client()
check(c.line() == b"* OK IMAP4rev1 ready\r\n", "plaintext greeting")
c.close()
EOF
ok $? "tls-greeting-plain: TLS client fails, plaintext greeting, ClientHello recorded"
exited 2
ok $? "tls-greeting-plain: server exits after 2 connections"

# implicit-tls-imap: a plaintext client gets no greeting; s_client (TLS
# first) gets an IMAP session.  Two connections, then the server exits.
start implicit "$SCRIPTS/implicit-tls-imap.script" --connections 2 && client <<'EOF'
from client import *
c = Client(timeout=0.7)
try:
    fail(f"plaintext greeting: {c.sock.recv(100)!r}")
except TimeoutError:
    pass
c.close()
EOF
ok $? "implicit-tls-imap: no plaintext greeting"
{ sleep 0.5; printf 'a1 LOGOUT\r\n'; } |
    timeout 10 "$OPENSSL" s_client -connect "127.0.0.1:$PORT" -quiet >"$DIR/out" 2>&1
has "$DIR/out" "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready" &&
    has "$DIR/out" "a1 OK LOGOUT completed"
ok $? "implicit-tls-imap: s_client gets the greeting and LOGOUT in TLS"
exited 3 && grep -q 'TLS handshake failed' "$DIR/err" && has "$DIR/rec" "a1 LOGOUT" &&
    lacks "$DIR/rec.plain" "LOGOUT"
ok $? "implicit-tls-imap: server exits after 2 connections, records right"

# imap-capture-login: a proper client (s_client -starttls imap) sends the
# password only inside TLS.
start capture "$SCRIPTS/imap-capture-login.script" &&
    { sleep 1; printf 'a1 LOGIN joe Pa55w0rdXYZ\r\n'; sleep 0.3; printf 'a2 LOGOUT\r\n'; sleep 0.5; } |
    timeout 10 "$OPENSSL" s_client -starttls imap -connect "127.0.0.1:$PORT" \
        -nocommands >"$DIR/out" 2>&1
has "$DIR/out" "a1 OK [CAPABILITY IMAP4rev1] Logged in" && has "$DIR/out" "a2 OK LOGOUT"
ok $? "imap-capture-login: STARTTLS, LOGIN and LOGOUT answered"
exited 3 && has "$DIR/rec" "Pa55w0rdXYZ" && lacks "$DIR/rec.plain" "Pa55w0rdXYZ" &&
    has "$DIR/rec.plain" ". STARTTLS"
ok $? "imap-capture-login: password in RFILE, not in RFILE.plain"

# imap-capture-login, bad client: LOGIN before STARTTLS is a mismatch and
# the password lands in RFILE.plain.
start capture-bad "$SCRIPTS/imap-capture-login.script" && client <<'EOF'
from client import *
c = Client()
c.line()
c.send("a1 LOGIN joe Pa55w0rdXYZ\r\n")
c.expect_eof()
EOF
ok $? "imap-capture-login: LOGIN before STARTTLS makes the server hang up"
exited 2 && grep -q 'expected' "$DIR/err" && has "$DIR/rec.plain" "Pa55w0rdXYZ"
ok $? "imap-capture-login: mismatch logged, password in RFILE.plain, exit 0"

# imap-capture-login, client pipelining its ClientHello right behind
# STARTTLS in one write: the server must not swallow it as plaintext.
start capture-pipe "$SCRIPTS/imap-capture-login.script" && client <<'EOF'
from client import *
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = tls_context().wrap_bio(inc, out)
try:
    tls.do_handshake()
except ssl.SSLWantReadError:
    pass
c = Client()
c.line()
c.send(b"a1 STARTTLS\r\n" + out.read())
check(c.line().startswith(b"a1 OK "), "STARTTLS reply")
inc.write(c.buf)
while True:
    try:
        tls.do_handshake()
        break
    except ssl.SSLWantReadError:
        c.send(out.read())
        inc.write(c.sock.recv(1 << 16))
tls.write(b"a2 LOGIN joe pipeLinedPW\r\n")
c.send(out.read())
reply = b""
while b"a2 " not in reply:
    try:
        reply += tls.read(1 << 16)
    except ssl.SSLWantReadError:
        inc.write(c.sock.recv(1 << 16))
check(b"a2 OK " in reply, f"LOGIN reply {reply!r}")
c.close()
check(record("rec.plain") == b"a1 STARTTLS\r\n", f"rec.plain {record('rec.plain')!r}")
EOF
ok $? "imap-capture-login: ClientHello pipelined after STARTTLS still works"
exited 3 && has "$DIR/rec" "pipeLinedPW"
ok $? "imap-capture-login: pipelined client's password recorded after TLS"

echo "1..$count"
[ "$failed" -eq 0 ]
