#!/usr/bin/python3
"""Process and port helpers for tests/servers/start.sh and stop.sh.

Kept in Python (standard library only) because these jobs are awkward and
error-prone in shell:

  pick-ports N            print N free TCP ports (one block, space separated)
                          that can be bound on 127.0.0.1 and 127.0.0.2
  wait-listen DIR SECS NAME=ADDR:PORT[,ADDR:PORT...] ...
                          wait until every ADDR:PORT is in LISTEN state on a
                          socket owned by daemon NAME (DIR/pids/NAME.pid);
                          on failure print the failing names on stdout and
                          a reason on stderr, exit 1
  daemon CMD [ARG...]     become a session leader, close every inherited
                          file descriptor above 2, exec CMD (same PID)
  stop DIR                stop every process recorded in DIR/pids/*.pid and
                          DIR/watchdog.pid (plus their process groups and
                          descendants): SIGTERM, then SIGKILL after ~3 s

A record file holds "PID STARTTIME" (STARTTIME = field 22 of /proc/PID/stat)
so that a recycled PID is never mistaken for one of our daemons.
"""

import os
import random
import socket
import sys
import time

# Ports are taken from below the kernel's ephemeral range (32768-60999 on
# Linux) so that outgoing client connections never sit on them.
PORT_LO, PORT_HI = 20000, 32000
ADDRS = ("127.0.0.1", "127.0.0.2")
TERM_GRACE = 3.0


def port_free(port):
    for addr in ADDRS:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind((addr, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def pick_ports(n):
    rng = random.SystemRandom()
    for _ in range(500):
        base = rng.randrange(PORT_LO, PORT_HI - n)
        ports = list(range(base, base + n))
        if all(port_free(p) for p in ports):
            return ports
    raise SystemExit("proc_helper.py: no block of %d free ports found" % n)


# ---------------------------------------------------------------- /proc ----

def proc_stat(pid):
    """(state, ppid, pgrp, session, starttime) of PID, or None if gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return None
    # comm (field 2) may contain spaces and parentheses: split after it.
    rest = data[data.rindex(")") + 2:].split()
    return rest[0], int(rest[1]), int(rest[2]), int(rest[3]), rest[19]


def all_procs():
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st is not None:
                procs[int(name)] = st
    return procs


def alive(pid, start):
    """True while PID is the very process we recorded and not a zombie."""
    st = proc_stat(pid)
    return st is not None and st[4] == start and st[0] not in ("Z", "X")


def read_record(path):
    try:
        with open(path) as f:
            pid, start = f.read().split()[:2]
        return int(pid), start
    except (OSError, ValueError):
        return None


def socket_inodes(pids):
    inodes = set()
    for pid in pids:
        try:
            fds = os.listdir("/proc/%d/fd" % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    return inodes


def listening():
    """{(addr, port): inode} for IPv4 TCP sockets in LISTEN state."""
    out = {}
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if fields[3] != "0A":
                continue
            hexaddr, hexport = fields[1].split(":")
            addr = socket.inet_ntoa(bytes.fromhex(hexaddr)[::-1])
            out[(addr, int(hexport, 16))] = fields[9]
    return out


def group_members(procs, leader):
    """PIDs in LEADER's process group or session, plus their descendants."""
    members = {p for p, st in procs.items()
               if p == leader or st[2] == leader or st[3] == leader}
    grew = True
    while grew:
        grew = False
        for p, st in procs.items():
            if p not in members and st[1] in members:
                members.add(p)
                grew = True
    return members


def wait_listen(dirname, secs, specs):
    want = {}
    for spec in specs:
        name, eps = spec.split("=", 1)
        want[name] = [(a, int(p)) for a, p in
                      (ep.rsplit(":", 1) for ep in eps.split(","))]
    deadline = time.monotonic() + secs
    while True:
        procs = all_procs()
        listen = listening()
        failed, pending = [], []
        for name, eps in want.items():
            rec = read_record(os.path.join(dirname, "pids", name + ".pid"))
            if rec is None or not alive(*rec):
                failed.append((name, "process exited"))
                continue
            inodes = socket_inodes(group_members(procs, rec[0]))
            for ep in eps:
                inode = listen.get(ep)
                if inode is None:
                    pending.append((name, "%s:%d not listening" % ep))
                elif inode not in inodes:
                    failed.append((name, "%s:%d taken by another process"
                                   % ep))
        if not failed and not pending:
            return 0
        if failed or time.monotonic() > deadline:
            bad = failed or pending
            for name, why in bad:
                sys.stderr.write("start.sh: %s: %s\n" % (name, why))
            print("\n".join(sorted({name for name, _ in bad})))
            return 1
        time.sleep(0.05)


# --------------------------------------------------------------- daemon ----

def daemon(argv):
    # Own session and process group: stop() finds all children through it,
    # and ^C on a terminal does not reach the daemon (the watchdog cleans
    # up interrupted runs).  A background job of a non-interactive shell is
    # never a group leader, so setsid() does not fail.
    try:
        os.setsid()
    except OSError:
        pass
    # Whatever the caller left open (a test driver's output pipe, make's
    # jobserver, start.sh's lock) must not be held by a long-lived daemon,
    # or the caller would wait for it.
    for fd in os.listdir("/proc/self/fd"):
        if int(fd) > 2:
            try:
                os.close(int(fd))
            except OSError:
                pass
    os.execvp(argv[0], argv)


# ----------------------------------------------------------------- stop ----

def stop(dirname):
    records = []
    piddir = os.path.join(dirname, "pids")
    if os.path.isdir(piddir):
        records += [os.path.join(piddir, n) for n in sorted(os.listdir(piddir))
                    if n.endswith(".pid")]
    # When the watchdog itself runs stop.sh it must not kill itself (nor
    # this process, its child) before the daemons are down.
    if os.environ.get("MS_STOP_FROM_WATCHDOG") != "1":
        records.append(os.path.join(dirname, "watchdog.pid"))

    # Never signal ourselves or our ancestors, whatever the records say.
    protect, p = set(), os.getpid()
    while p > 1:
        protect.add(p)
        st = proc_stat(p)
        if st is None:
            break
        p = st[1]

    procs = all_procs()
    leaders, victims = [], {}
    for path in records:
        rec = read_record(path)
        if rec is None:
            continue
        pid, start = rec
        st = procs.get(pid)
        if st is not None and st[4] != start:
            # PID recycled by an unrelated process.  Linux does not reuse a
            # PID while it still names a process group or session, so none
            # of our processes can be left in that group either.
            continue
        if st is not None:
            leaders.append(pid)
        for m in group_members(procs, pid):
            if m not in protect:
                victims[m] = procs[m][4]
    leaders = [p for p in leaders if p not in protect]

    # Polite first: the dovecot master and the exim daemon shut their own
    # children down on SIGTERM.
    for pid in leaders:
        try:
            os.kill(pid, 15)
        except OSError:
            pass
    deadline = time.monotonic() + TERM_GRACE
    while time.monotonic() < deadline:
        if not any(alive(p, s) for p, s in victims.items()):
            break
        time.sleep(0.05)
    else:
        for p, s in victims.items():
            if alive(p, s):
                try:
                    os.kill(p, 9)
                except OSError:
                    pass
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and \
                any(alive(p, s) for p, s in victims.items()):
            time.sleep(0.05)
    left = [p for p, s in victims.items() if alive(p, s)]
    if left:
        sys.stderr.write("stop.sh: processes still alive: %s\n" %
                         " ".join(map(str, sorted(left))))
        return 1
    for path in records:
        try:
            os.unlink(path)
        except OSError:
            pass
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "pick-ports":
        print(" ".join(map(str, pick_ports(int(argv[1])))))
        return 0
    if len(argv) >= 3 and argv[0] == "wait-listen":
        return wait_listen(argv[1], float(argv[2]), argv[3:])
    if len(argv) >= 2 and argv[0] == "daemon":
        daemon(argv[1:])
    if len(argv) == 2 and argv[0] == "stop":
        return stop(argv[1])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
