#!/usr/bin/python3
r"""scripted.py - a mail server that plays a script, for mailsetup's tests.

Real servers (Dovecot, Exim) do not misbehave on demand.  This one does
exactly what a small script says, byte for byte, so the tests can model
hostile or broken servers: STARTTLS injection, refused STARTTLS, PREAUTH,
wrong-protocol banners, silence, endless lines, escape sequences, ...

Usage:
  scripted.py --script FILE --port-file PFILE --record RFILE
              [--bind 127.0.0.1] [--port 0] [--cert CERT --key KEY]
              [--connections N] [--max-seconds S] [-v]
  scripted.py --script FILE --check          (only validate the script)

The server listens on BIND:PORT (port 0 picks a free port) and, once it is
listening, writes the port number to PFILE (temporary file + rename, so
PFILE appears complete or not at all).  It does not daemonize: run it with
"&" and kill it by PID, or let it exit by itself, which it does after
serving N connections (default 1) to completion, or after S seconds
(default 60), whichever comes first.  Connections are served concurrently,
each one running the whole script from the top; after the N-th accept the
listening socket is closed.

Recording:
  RFILE        every byte received from the client, in order, appended and
               flushed after each read: the plaintext bytes before TLS and
               the decrypted application bytes after TLS.  The records of
               a successful TLS handshake are not written; the bytes of a
               failed one are (as plaintext, when it fails).  No markers.
  RFILE.plain  only the bytes received in plaintext, before any TLS
               session, so "grep -c PASSWORD RFILE.plain" tells whether a
               secret crossed the wire unencrypted.
Both files are created at startup, even if nothing is ever received.

Script language: one command per line.  Blank lines and lines whose first
non-blank character is "#" are ignored.  Blanks around an argument are
dropped; write \x20 for a significant leading or trailing space.

  send TEXT            send TEXT in one write (nothing is appended: write
                       \r\n yourself).  Several responses in one send go
                       out in the same TCP segment.
  recv                 read one line from the client (up to LF, at most
                       64 KiB; a longer line is returned in 64 KiB pieces).
  expect REGEX         read one line like recv; the line without its CRLF
                       must match REGEX (Python re.search on bytes, so
                       (?i) at the very start makes it case-insensitive),
                       otherwise the mismatch is logged to stderr and the
                       connection is closed.  The groups of the match
                       become $1..$9.
  answer REGEX => TEXT read lines; while a line matches REGEX, send TEXT
                       (its $1..$9 from that match) and read the next one.
                       The first line that does not match is kept for the
                       next recv/expect/answer.  For optional client
                       commands, e.g. a CAPABILITY the client may skip.
                       Always follow it with recv/expect/answer.
  tls                  do a server-side TLS handshake now (needs --cert and
                       --key; at most once per script).  A failed handshake
                       is logged and ends the connection.
  sleep SECONDS        pause (float seconds).
  drip SECONDS TEXT    send TEXT one byte at a time, pausing SECONDS
                       between bytes.
  flood BYTES TEXT     send TEXT over and over until exactly BYTES bytes
                       were sent (BYTES may end in K or M: KiB, MiB).
  silent SECONDS       send nothing for SECONDS, but read and record
                       whatever the client sends; what is read is
                       discarded (a later recv does not see it).
  close                close the connection: TLS close_notify if in TLS,
                       FIN, then up to 1 s of reading (recording) until the
                       client closes too.  The end of the script does this.
  reset                abort the connection with a TCP RST (SO_LINGER 0).

TEXT escapes: \r \n \t \a (BEL) \e (ESC) \0 \xHH \\ and \$ (a
literal dollar); $1..$9 are replaced by the groups of the last successful
expect/answer match (empty if unset).  Other characters are sent as UTF-8.
REGEX is given to Python's re as is (it has its own \r \n \xHH \\).

When the client goes away (EOF, reset, broken pipe) the connection ends
quietly at whatever command is running.  Exit status: 0, also after
mismatches, handshake failures and the --max-seconds limit; 1 if the port
cannot be bound; 2 for an invalid script or bad arguments.

Example (IMAP STARTTLS where the client picks its own tags):

  send * OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n
  answer (?i)^(\S+) CAPABILITY$ => * CAPABILITY IMAP4rev1 STARTTLS\r\n$1 OK done\r\n
  expect (?i)^(\S+) STARTTLS$
  send $1 OK Begin TLS now\r\n
  tls
"""

from __future__ import annotations

import argparse
import math
import os
import re
import socket
import ssl
import warnings
import struct
import sys
import threading
import time
from dataclasses import dataclass, field

LINE_MAX = 64 * 1024        # longest line recv/expect returns at once
CHUNK = 64 * 1024           # read size, and flood write size
CLOSE_DRAIN = 1.0           # seconds to keep reading after our FIN

PROG = "scripted"
VERBOSE = False


def log(msg: str) -> None:
    print(f"{PROG}[{os.getpid()}]: {msg}", file=sys.stderr, flush=True)


def debug(msg: str) -> None:
    if VERBOSE:
        log(msg)


class ScriptError(Exception):
    """The script file is invalid."""


class ClientGone(Exception):
    """The client closed or reset the connection."""


class DeadlineReached(Exception):
    """--max-seconds ran out."""


class ConnectionEnd(Exception):
    """The script cannot go on with this connection (reason in the text)."""


# ------------------------------------------------------------ the script --

_TEXT_TOKEN = re.compile(
    r"\\x(?P<hex>[0-9A-Fa-f]{2})"   # \xHH
    r"|\\(?P<esc>.?)"               # \r \n ... (or a bad/dangling escape)
    r"|\$(?P<group>[1-9])"          # $1..$9
    r"|(?P<lit>[^\\$]+|\$)",        # anything else, or a lone $
    re.S)

_ESCAPES = {"r": b"\r", "n": b"\n", "t": b"\t", "a": b"\a", "e": b"\x1b",
            "0": b"\0", "\\": b"\\", "$": b"$"}


@dataclass(frozen=True)
class Text:
    """A TEXT argument: literal byte strings and $N group references."""
    parts: tuple[bytes | int, ...]

    @classmethod
    def parse(cls, source: str) -> Text:
        parts: list[bytes | int] = []
        literal = bytearray()
        for m in _TEXT_TOKEN.finditer(source):
            if m["hex"] is not None:
                literal.append(int(m["hex"], 16))
            elif m["esc"] is not None:
                if m["esc"] not in _ESCAPES:
                    what = "\\" + m["esc"] if m["esc"] else "a lone \\ at the end"
                    raise ScriptError(f"bad escape {what}")
                literal += _ESCAPES[m["esc"]]
            elif m["group"] is not None:
                if literal:
                    parts.append(bytes(literal))
                    literal.clear()
                parts.append(int(m["group"]))
            else:
                literal += m["lit"].encode("utf-8")
        if literal:
            parts.append(bytes(literal))
        return cls(tuple(parts))

    def render(self, groups: list[bytes]) -> bytes:
        return b"".join(groups[p] if isinstance(p, int) else p
                        for p in self.parts)


@dataclass
class Step:
    lineno: int
    name: str
    text: Text | None = None
    regex: re.Pattern[bytes] | None = None
    number: float = 0.0
    source: str = field(default="", repr=False)   # the line, for messages


def _seconds(arg: str) -> float:
    try:
        value = float(arg)
    except ValueError:
        raise ScriptError(f"not a number of seconds: {arg!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ScriptError(f"bad number of seconds: {arg!r}")
    return value


def _size(arg: str) -> int:
    m = re.fullmatch(r"(\d+)([KkMm]?)", arg)
    if not m or int(m[1]) == 0:
        raise ScriptError(f"bad byte count: {arg!r}")
    return int(m[1]) * {"": 1, "k": 1024, "m": 1024 * 1024}[m[2].lower()]


def _regex(arg: str) -> re.Pattern[bytes]:
    try:
        return re.compile(arg.encode("utf-8"))
    except re.error as e:
        raise ScriptError(f"bad regular expression {arg!r}: {e}") from None


def _split_first(arg: str, what: str) -> tuple[str, str]:
    head, _, rest = arg.partition(" ")
    if not rest.strip():
        raise ScriptError(f"needs {what}")
    return head, rest.strip()


def _parse_step(lineno: int, name: str, arg: str) -> Step:
    step = Step(lineno, name)
    if name in ("recv", "tls", "close", "reset"):
        if arg:
            raise ScriptError(f"{name} takes no argument")
    elif not arg:
        raise ScriptError(f"{name} needs an argument")
    elif name == "send":
        step.text = Text.parse(arg)
    elif name == "expect":
        step.regex = _regex(arg)
    elif name == "answer":
        regex, sep, text = arg.partition(" => ")
        if not sep or not regex.strip() or not text.strip():
            raise ScriptError("answer needs: REGEX => TEXT")
        step.regex = _regex(regex.strip())
        step.text = Text.parse(text.strip())
    elif name in ("sleep", "silent"):
        step.number = _seconds(arg)
    elif name == "drip":
        seconds, text = _split_first(arg, "SECONDS TEXT")
        step.number = _seconds(seconds)
        step.text = Text.parse(text)
    elif name == "flood":
        count, text = _split_first(arg, "BYTES TEXT")
        step.number = _size(count)
        step.text = Text.parse(text)
        if not step.text.parts:
            raise ScriptError("flood needs a non-empty TEXT")
    else:
        raise ScriptError(f"unknown command {name!r}")
    return step


def parse_script(source: str) -> list[Step]:
    steps = []
    for lineno, line in enumerate(source.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, arg = re.fullmatch(r"(\S+)\s*(.*)", line).groups()
        try:
            step = _parse_step(lineno, name, arg)
        except ScriptError as e:
            raise ScriptError(f"line {lineno}: {e}") from None
        step.source = line
        steps.append(step)
    if sum(step.name == "tls" for step in steps) > 1:
        raise ScriptError("tls may appear only once")
    return steps


# ------------------------------------------------------------- plumbing --

class Deadline:
    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; raises DeadlineReached when there are none."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise DeadlineReached
        return left


class Recorder:
    """Appends client bytes to RFILE (and RFILE.plain before TLS)."""

    def __init__(self, path: str):
        self._all = open(path, "ab")
        self._plain = open(path + ".plain", "ab")
        self._lock = threading.Lock()

    def write(self, data: bytes, before_tls: bool) -> None:
        with self._lock:
            if self._all.closed:
                return
            self._all.write(data)
            self._all.flush()
            if before_tls:
                self._plain.write(data)
                self._plain.flush()

    def close(self) -> None:
        with self._lock:
            self._all.close()
            self._plain.close()


def show(data: bytes, limit: int = 120) -> str:
    """data for a log message, shortened if long."""
    if len(data) <= limit:
        return repr(data)
    return f"{data[:limit]!r}... ({len(data)} bytes)"


def strip_eol(line: bytes) -> bytes:
    if line.endswith(b"\n"):
        line = line[:-1]
    if line.endswith(b"\r"):
        line = line[:-1]
    return line


# ----------------------------------------------------------- connection --

class Connection:
    """One client connection running the script."""

    def __init__(self, sock: socket.socket, number: int, steps: list[Step],
                 ctx: ssl.SSLContext | None, recorder: Recorder,
                 deadline: Deadline):
        self.sock = sock
        self.number = number
        self.steps = steps
        self.ctx = ctx
        self.recorder = recorder
        self.deadline = deadline
        self.tls: ssl.SSLObject | None = None
        self.incoming = ssl.MemoryBIO()     # raw TLS records from the client
        self.outgoing = ssl.MemoryBIO()     # raw TLS records to the client
        self.buffer = bytearray()           # decrypted, read, not consumed
        self.pushback: bytes | None = None  # line put back by answer
        self.groups = [b""] * 10
        self.closed = False

    def log(self, msg: str) -> None:
        log(f"conn {self.number}: {msg}")

    def debug(self, msg: str) -> None:
        debug(f"conn {self.number}: {msg}")

    # -- raw socket --------------------------------------------------------

    def _timeout(self, limit: float | None) -> float:
        left = self.deadline.remaining()
        return left if limit is None else max(0.0, min(left, limit))

    def _raw_recv(self, size: int, limit: float | None = None,
                  flags: int = 0) -> bytes | None:
        """Up to size bytes; b"" on EOF or reset; None if limit ran out."""
        self.sock.settimeout(self._timeout(limit))
        try:
            return self.sock.recv(size, flags)
        except (TimeoutError, BlockingIOError):
            self.deadline.remaining()       # raise if it was the deadline
            return None
        except (ConnectionResetError, ConnectionAbortedError):
            return b""

    def _raw_send(self, data: bytes) -> None:
        self.sock.settimeout(self._timeout(None))
        try:
            self.sock.sendall(data)
        except TimeoutError:
            raise DeadlineReached from None
        except (BrokenPipeError, ConnectionResetError,
                ConnectionAbortedError):
            raise ClientGone("while sending") from None

    def _flush_tls(self) -> None:
        data = self.outgoing.read()
        if data:
            self._raw_send(data)

    # -- the client's bytes, plaintext or decrypted -----------------------

    def read_some(self, limit: float | None = None) -> bytes | None:
        """Read and record what the client sends; b"" on EOF, None on
        timeout.  In plaintext this consumes everything that is there."""
        if self.tls is None:
            data = self._raw_recv(CHUNK, limit)
        else:
            data = self._tls_read(limit)
        if data:
            self.recorder.write(data, before_tls=self.tls is None)
        return data

    def _tls_read(self, limit: float | None) -> bytes | None:
        end = None if limit is None else time.monotonic() + limit
        while True:
            try:
                return self.tls.read(CHUNK)
            except ssl.SSLWantReadError:
                pass
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b""
            except ssl.SSLError as e:
                self.log(f"TLS error while reading: {e}")
                return b""
            self._flush_tls()
            left = None if end is None else max(0.0, end - time.monotonic())
            raw = self._raw_recv(CHUNK, left)
            if raw is None:
                return None
            if raw:
                self.incoming.write(raw)
            else:
                self.incoming.write_eof()

    def readline(self) -> bytes:
        """One line including its LF (or LINE_MAX bytes without one)."""
        if self.pushback is not None:
            line, self.pushback = self.pushback, None
            return line
        if self.tls is None:
            return self._plain_readline()
        while b"\n" not in self.buffer and len(self.buffer) < LINE_MAX:
            data = self.read_some()
            if data is None:
                continue
            if not data:
                raise ClientGone("while reading a line")
            self.buffer += data
        end = self.buffer.find(b"\n") + 1 or LINE_MAX
        end = min(end, LINE_MAX)
        line = bytes(self.buffer[:end])
        del self.buffer[:end]
        return line

    def _plain_readline(self) -> bytes:
        # Peek first and take only up to the LF, so that nothing after the
        # line (e.g. a TLS ClientHello sent right behind STARTTLS) is
        # consumed or recorded as plaintext.
        line = bytearray()
        while True:
            peeked = self._raw_recv(LINE_MAX - len(line), flags=socket.MSG_PEEK)
            if peeked is None:
                continue
            if not peeked:
                raise ClientGone("while reading a line")
            take = peeked.find(b"\n") + 1 or len(peeked)
            data = self._raw_recv(take)
            if not data:
                raise ClientGone("while reading a line")
            self.recorder.write(data, before_tls=True)
            line += data
            if line.endswith(b"\n") or len(line) >= LINE_MAX:
                return bytes(line)

    def send(self, data: bytes) -> None:
        if self.tls is None:
            self._raw_send(data)
            return
        try:
            self.tls.write(data)
        except ssl.SSLError as e:
            raise ClientGone(f"TLS error while sending: {e}") from None
        self._flush_tls()

    def pause(self, seconds: float) -> None:
        left = self.deadline.remaining()
        time.sleep(min(seconds, left))
        if seconds >= left:
            raise DeadlineReached

    # -- TLS and closing ---------------------------------------------------

    def start_tls(self) -> None:
        if self.pushback is not None:
            self.log(f"unread line dropped before TLS: {show(self.pushback)}")
            self.pushback = None
        obj = self.ctx.wrap_bio(self.incoming, self.outgoing, server_side=True)
        received = bytearray()      # what the handshake consumed
        try:
            while True:
                try:
                    obj.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    pass
                self._flush_tls()
                raw = self._raw_recv(CHUNK)
                if raw is None:
                    continue
                if not raw:
                    raise ConnectionEnd("the client closed the connection")
                received += raw
                self.incoming.write(raw)
        except (ssl.SSLError, ConnectionEnd) as e:
            # No TLS session came of it: what the client sent went over
            # the wire in the clear, so record it as plaintext.
            self.recorder.write(bytes(received), before_tls=True)
            self._try_flush_tls()               # the alert, if any
            raise ConnectionEnd(f"TLS handshake failed: {e}; received "
                                f"{show(bytes(received), 60)}") from None
        self.tls = obj
        self._flush_tls()
        self.debug(f"TLS established: {obj.version()} {obj.cipher()[0]}")

    def _try_flush_tls(self) -> None:
        try:
            self._flush_tls()
        except (ClientGone, DeadlineReached, OSError):
            pass

    def close(self) -> None:
        """Orderly close: close_notify, FIN, record until the client's EOF."""
        if self.closed:
            return
        self.closed = True
        try:
            if self.tls is not None:
                try:
                    self.tls.unwrap()
                except ssl.SSLError:
                    pass                        # WantRead: no reply yet
                self._flush_tls()
            self.sock.shutdown(socket.SHUT_WR)
            end = time.monotonic() + CLOSE_DRAIN
            while (left := end - time.monotonic()) > 0:
                if not self.read_some(left):
                    break
        except (ClientGone, DeadlineReached, OSError):
            pass
        finally:
            self.sock.close()

    def reset(self) -> None:
        """Abort with RST, after recording what is already there."""
        if self.closed:
            return
        self.closed = True
        try:
            while self.read_some(0):
                pass
        except (ClientGone, DeadlineReached, OSError):
            pass
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
        self.sock.close()

    # -- the commands ------------------------------------------------------

    def _match(self, step: Step, line: bytes) -> re.Match[bytes] | None:
        m = step.regex.search(strip_eol(line))
        if m:
            groups = [g or b"" for g in m.groups()[:9]]
            self.groups = [m[0]] + groups + [b""] * (9 - len(groups))
        return m

    def do_send(self, step: Step) -> None:
        self.send(step.text.render(self.groups))

    def do_recv(self, step: Step) -> None:
        self.debug(f"received {show(self.readline())}")

    def do_expect(self, step: Step) -> None:
        line = self.readline()
        if not self._match(step, line):
            raise ConnectionEnd(f"line {step.lineno}: expected "
                                f"/{step.regex.pattern.decode()}/, "
                                f"got {show(line)}")
        self.debug(f"received {show(line)}")

    def do_answer(self, step: Step) -> None:
        while True:
            line = self.readline()
            if not self._match(step, line):
                self.pushback = line
                return
            self.debug(f"received {show(line)}, answering")
            self.send(step.text.render(self.groups))

    def do_tls(self, step: Step) -> None:
        self.start_tls()

    def do_sleep(self, step: Step) -> None:
        self.pause(step.number)

    def do_drip(self, step: Step) -> None:
        data = step.text.render(self.groups)
        for i in range(len(data)):
            if i:
                self.pause(step.number)
            self.send(data[i:i + 1])

    def do_flood(self, step: Step) -> None:
        unit = step.text.render(self.groups)
        if not unit:
            raise ConnectionEnd(f"line {step.lineno}: flood TEXT is empty")
        chunk = unit * max(1, CHUNK // len(unit))
        left = int(step.number)
        while left > 0:
            piece = chunk[:left]
            self.send(piece)
            left -= len(piece)

    def do_silent(self, step: Step) -> None:
        self.buffer.clear()
        self.pushback = None
        end = time.monotonic() + step.number
        while (left := end - time.monotonic()) > 0:
            if self.read_some(left) == b"":
                raise ClientGone("while silent")

    def do_close(self, step: Step) -> None:
        self.close()

    def do_reset(self, step: Step) -> None:
        self.reset()

    def run(self) -> None:
        try:
            for step in self.steps:
                self.debug(f"line {step.lineno}: {step.source}")
                getattr(self, "do_" + step.name)(step)
                if self.closed:
                    return
            self.debug("end of script")
        except ClientGone as e:
            self.debug(f"client went away {e}")
        except DeadlineReached:
            self.log("--max-seconds reached")
        except ConnectionEnd as e:
            self.log(str(e))
        except Exception as e:              # a bug here: say so, carry on
            self.log(f"internal error: {e!r}")
        if not self.closed:
            self.close()


# ---------------------------------------------------------------- server --

def open_listener(bind: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((bind, port))
        sock.listen(16)
    except OSError:
        sock.close()
        raise
    return sock


def write_port_file(path: str, port: int) -> None:
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def serve(listener: socket.socket, args: argparse.Namespace,
          steps: list[Step], ctx: ssl.SSLContext | None,
          recorder: Recorder, deadline: Deadline) -> None:
    threads: list[threading.Thread] = []
    try:
        while len(threads) < args.connections:
            listener.settimeout(deadline.remaining())
            try:
                sock, peer = listener.accept()
            except TimeoutError:
                deadline.remaining()
                continue
            except (ConnectionAbortedError, InterruptedError):
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            number = len(threads) + 1
            debug(f"conn {number}: from {peer[0]}:{peer[1]}")
            conn = Connection(sock, number, steps, ctx, recorder, deadline)
            thread = threading.Thread(target=conn.run, daemon=True,
                                      name=f"conn-{number}")
            thread.start()
            threads.append(thread)
        listener.close()
        for thread in threads:
            while thread.is_alive():
                thread.join(deadline.remaining())
    except DeadlineReached:
        log(f"--max-seconds {args.max_seconds:g} reached, exiting")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="scripted.py",
        description="Scripted mail server for tests (see the module "
                    "docstring for the script language).")
    p.add_argument("--script", required=True, help="script file to play")
    p.add_argument("--check", action="store_true",
                   help="only check the script and exit")
    p.add_argument("--bind", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=0, help="port (0: any free)")
    p.add_argument("--port-file", help="write the port number here")
    p.add_argument("--record", help="append client bytes here (+ .plain)")
    p.add_argument("--cert", help="PEM certificate (chain) for tls")
    p.add_argument("--key", help="PEM private key for tls")
    p.add_argument("--tls-max", choices=["1.0", "1.1", "1.2", "1.3"],
                   help="highest TLS version to accept (old servers)")
    p.add_argument("--connections", type=int, default=1,
                   help="exit after serving this many connections")
    p.add_argument("--max-seconds", type=float, default=60.0,
                   help="exit after this many seconds in any case")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="log every step to stderr")
    args = p.parse_args(argv)
    if not args.check:
        if not args.port_file or not args.record:
            p.error("--port-file and --record are required")
        if args.connections < 1 or args.max_seconds <= 0:
            p.error("--connections and --max-seconds must be positive")
    if bool(args.cert) != bool(args.key):
        p.error("--cert and --key go together")
    return args


def main(argv: list[str] | None = None) -> int:
    global VERBOSE
    args = parse_args(argv)
    VERBOSE = args.verbose
    try:
        with open(args.script, encoding="utf-8") as f:
            steps = parse_script(f.read())
    except (OSError, UnicodeDecodeError) as e:
        log(f"cannot read script: {e}")
        return 2
    except ScriptError as e:
        log(f"{args.script}: {e}")
        return 2
    if args.check:
        return 0

    ctx = None
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            ctx.load_cert_chain(args.cert, args.key)
        except (OSError, ssl.SSLError) as e:
            log(f"cannot load --cert/--key: {e}")
            return 2
        if args.tls_max:
            # An old server: allow the old versions (and the security
            # level they need), cap at the version asked for.
            versions = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
                        "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = versions[args.tls_max]
    elif any(step.name == "tls" for step in steps):
        log(f"{args.script}: uses tls but --cert/--key are missing")
        return 2

    deadline = Deadline(args.max_seconds)
    try:
        recorder = Recorder(args.record)
    except OSError as e:
        log(f"cannot open the record file: {e}")
        return 2
    try:
        try:
            listener = open_listener(args.bind, args.port)
        except OSError as e:
            log(f"cannot listen on {args.bind} port {args.port}: {e}")
            return 1
        port = listener.getsockname()[1]
        try:
            write_port_file(args.port_file, port)
        except OSError as e:
            log(f"cannot write the port file: {e}")
            listener.close()
            return 2
        debug(f"listening on {args.bind} port {port}")
        serve(listener, args, steps, ctx, recorder, deadline)
        return 0
    finally:
        recorder.close()


if __name__ == "__main__":
    sys.exit(main())
