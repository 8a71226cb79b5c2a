#!/bin/bash
# start.sh DIR -- start throw-away IMAP/POP3/SMTP servers for the mailsetup
# tests.  Everything (certificates, configs, mail, logs, PIDs) lives in DIR;
# the variables the tests need are written to DIR/servers.env.  Stop with
# tests/servers/stop.sh DIR (a watchdog also does it, see watchdog.sh).
#
# Environment (optional):
#   MS_WATCH_PID     stop the servers when this process disappears
#   MS_MAX_SECONDS   stop the servers after this many seconds (default 1800)
#
# Must run as root: dovecot and exim start as root and drop privileges.
set -eu
umask 022

die() { echo "start.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: start.sh DIR (absolute path)"
DIR=$1
case $DIR in /*) ;; *) die "DIR must be an absolute path: $DIR" ;; esac
# The path is pasted into dovecot and exim configuration files.
case $DIR in *[!A-Za-z0-9_./+-]*) die "DIR may only contain A-Z a-z 0-9 _ . / + -: $DIR" ;; esac
DIR=${DIR%/}
[ "$(id -u)" -eq 0 ] || die "must run as root (dovecot and exim drop privileges themselves)"

HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
HELPER="$HERE/proc_helper.py"
DOVECOT=${DOVECOT:-/usr/sbin/dovecot}
EXIM=${EXIM:-/usr/sbin/exim4}
for tool in "$PY" "$DOVECOT" "$EXIM" openssl flock; do
	command -v "$tool" >/dev/null || die "$tool not found"
done

# Servers left over from an earlier run in the same DIR: stop them first
# (stop.sh only touches processes recorded in DIR).
if [ -n "$(ls -A "$DIR/pids" 2>/dev/null)" ] || [ -e "$DIR/watchdog.pid" ]; then
	echo "start.sh: stopping servers left over in $DIR" >&2
	"$HERE/stop.sh" "$DIR" || die "could not stop the old servers in $DIR"
fi

# Fixed test identity.  The password has a shell-special character on
# purpose; it contains nothing that is special to dovecot's passwd-file
# (':') or to exim's string expansion ('$', '{', '}', '\').
LOCALPART=zoe
DOMAIN=mail.test
ADDRESS=$LOCALPART@$DOMAIN
PASSWORD='Tr0ub4dor&3'
ALT_ADDR=127.0.0.2

mkdir -p "$DIR"
rm -rf "$DIR/pki" "$DIR/dovecot" "$DIR/exim" "$DIR/logs" "$DIR/pids" \
	"$DIR/servers.env" "$DIR/rundir"
mkdir -p "$DIR/pki" "$DIR/dovecot" "$DIR/exim" "$DIR/logs" "$DIR/pids"

# The daemons' unprivileged users (Debian-exim, dovecot, dovenull, nobody)
# must be able to traverse every directory above their state.
d=$DIR
while [ "$d" != / ] && [ -n "$d" ]; do
	case $(stat -c %A "$d") in
	*x | *t) ;; # "t": sticky and o+x, as on /tmp
	*)
		echo "start.sh: chmod o+x $d (so that Debian-exim and dovecot can reach $DIR)" >&2
		chmod o+x "$d"
		;;
	esac
	d=$(dirname "$d")
done

# If startup fails half-way, take down whatever was already started.
started=no
cleanup() {
	if [ "$started" = no ]; then
		"$HERE/stop.sh" "$DIR" >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Record "PID STARTTIME" of a process we launched (see proc_helper.py).
record_pid() { # FILE PID
	local stat
	if ! stat=$(cat "/proc/$2/stat" 2>/dev/null); then
		# Already gone: proc_helper.py wait-listen reports it with its log.
		echo "$2 exited" >"$1"
		return
	fi
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- "$1" "$2" $stat
	echo "$2 ${22}" >"$1"
}

# ---------------------------------------------------------------- PKI -----
# root CA -> intermediate CA -> leaves.  EC P-256 keys: key generation is
# instant, which keeps start.sh fast.  All leaves share one key.
PKI=$DIR/pki
cat >"$PKI/openssl.cnf" <<EOF
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ root_ca ]
dir = $PKI/root-db
database = \$dir/index.txt
new_certs_dir = \$dir
certificate = $PKI/ca.pem
private_key = $PKI/ca.key
rand_serial = yes
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ int_ca ]
dir = $PKI/int-db
database = \$dir/index.txt
new_certs_dir = \$dir
certificate = $PKI/intermediate.pem
private_key = $PKI/intermediate.key
rand_serial = yes
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
organizationName = optional
commonName = supplied
[ ext_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ext_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ext_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, DNS:mail.test, IP:127.0.0.1, IP:127.0.0.2
[ ext_wrongname ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:wrong.example
[ ext_selfsigned ]
basicConstraints = critical, CA:FALSE
subjectKeyIdentifier = hash
subjectAltName = DNS:localhost, DNS:mail.test, IP:127.0.0.1, IP:127.0.0.2
EOF
mkdir -p "$PKI/root-db" "$PKI/int-db"
: >"$PKI/root-db/index.txt"
: >"$PKI/int-db/index.txt"

pki() { openssl "$@" >>"$PKI/openssl.log" 2>&1 || die "openssl $1 failed, see $PKI/openssl.log"; }
newkey() { pki genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
# sign CA NAME EXTENSIONS [openssl ca date options]: NAME.csr -> NAME.pem
sign() {
	local ca=$1 name=$2 ext=$3
	shift 3
	pki ca -batch -notext -config "$PKI/openssl.cnf" -name "$ca" \
		-extensions "$ext" -in "$PKI/$name.csr" -out "$PKI/$name.pem" "$@"
}

newkey "$PKI/ca.key"
pki req -new -x509 -config "$PKI/openssl.cnf" -key "$PKI/ca.key" \
	-subj "/O=mailsetup tests/CN=mailsetup test root CA" -days 3650 \
	-extensions ext_root -out "$PKI/ca.pem"

newkey "$PKI/intermediate.key"
pki req -new -config "$PKI/openssl.cnf" -key "$PKI/intermediate.key" \
	-subj "/O=mailsetup tests/CN=mailsetup test intermediate CA" \
	-out "$PKI/intermediate.csr"
sign root_ca intermediate ext_int -days 3650

newkey "$PKI/leaf.key"
pki req -new -config "$PKI/openssl.cnf" -key "$PKI/leaf.key" \
	-subj "/O=mailsetup tests/CN=localhost" -out "$PKI/leaf.csr"
for name in good expired notyet wrongname; do
	cp "$PKI/leaf.csr" "$PKI/$name.csr"
done
sign int_ca good ext_leaf -days 825
# openssl 3.0 "x509" cannot set explicit dates, "ca" can.
sign int_ca expired ext_leaf -startdate 20200101000000Z -enddate 20210101000000Z
sign int_ca notyet ext_leaf -startdate 20450101000000Z -enddate 20460101000000Z
sign int_ca wrongname ext_wrongname -days 825
pki req -new -x509 -config "$PKI/openssl.cnf" -key "$PKI/leaf.key" \
	-subj "/O=mailsetup tests/CN=localhost" -days 825 \
	-extensions ext_selfsigned -out "$PKI/selfsigned.pem"

# What each server sends: leaf + intermediate, except "nochain" (good leaf
# alone) and "selfsigned" (no CA involved at all).
for name in good expired notyet wrongname; do
	cat "$PKI/$name.pem" "$PKI/intermediate.pem" >"$PKI/$name-chain.pem"
done
cp "$PKI/good.pem" "$PKI/nochain-chain.pem"
cp "$PKI/selfsigned.pem" "$PKI/selfsigned-chain.pem"
# exim reads the key after dropping to Debian-exim.
chgrp Debian-exim "$PKI/leaf.key"
chmod 0640 "$PKI/leaf.key" "$PKI/ca.key" "$PKI/intermediate.key"

# -------------------------------------------------------------- ports -----
# Hold a machine-wide lock from choosing ports until the daemons listen, so
# two suites starting at the same moment cannot pick the same block.  The
# daemons do not inherit the lock fd (9): "proc_helper.py daemon" closes it.
LOCK=${TMPDIR:-/tmp}/mailsetup-test-servers.lock
if { exec 9>>"$LOCK"; } 2>/dev/null; then
	chmod 0666 "$LOCK" 2>/dev/null || true
	flock -w 60 9 || die "timed out waiting for $LOCK"
fi

# shellcheck disable=SC2046
set -- $("$PY" "$HELPER" pick-ports 12)
[ $# -eq 12 ] || die "could not pick ports"
IMAP_PORT=$1 IMAPS_PORT=$2 POP3_PORT=$3 POP3S_PORT=$4
IMAPS_EXPIRED_PORT=$5 IMAPS_NOTYET_PORT=$6 IMAPS_SELFSIGNED_PORT=$7
IMAPS_WRONGNAME_PORT=$8 IMAPS_NOCHAIN_PORT=$9
SUBMISSION_PORT=${10} SUBMISSIONS_PORT=${11} SMTP_PORT=${12}

# ------------------------------------------------------------ dovecot -----
# Dovecot cannot pick a certificate by port (its "local" blocks match IPs),
# so every bad certificate gets its own small dovecot instance.
#
# base_dir holds unix sockets, whose paths are limited to 107 bytes; with a
# long DIR the run directories go to a short temporary directory instead
# (recorded in DIR/rundir, removed by stop.sh).
if [ ${#DIR} -le 48 ]; then
	RUN=$DIR/dovecot/run
	mkdir -p "$RUN"
else
	RUN=$(mktemp -d /tmp/mailsetup-srv.XXXXXX)
	chmod 0755 "$RUN"
	echo "$RUN" >"$DIR/rundir"
fi

DV=$DIR/dovecot
SENT_FOLDER="Verschickt 2"
DRAFTS_FOLDER="Brouillons é"
TRASH_FOLDER=Weggeworfen
MAILUSER=nobody
MAILGROUP=nogroup
printf '%s:{PLAIN}%s\n' "$ADDRESS" "$PASSWORD" >"$DV/passwd"
chgrp dovecot "$DV/passwd"
chmod 0640 "$DV/passwd"

# The user's mailbox: exactly one message.
HOME_DIR=$DV/home/$ADDRESS
mkdir -p "$HOME_DIR/Maildir/cur" "$HOME_DIR/Maildir/new" "$HOME_DIR/Maildir/tmp"
cat >"$HOME_DIR/Maildir/new/1700000000.M1P1.mailsetup" <<EOF
Return-Path: <postmaster@$DOMAIN>
Date: Tue, 14 Nov 2023 22:13:20 +0000
From: Postmaster <postmaster@$DOMAIN>
To: Zoe <$ADDRESS>
Subject: mailsetup test message
Message-ID: <1700000000.mailsetup@$DOMAIN>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

This message is here so that tests can list and fetch something.
EOF
chown -R "$MAILUSER:$MAILGROUP" "$DV/home"

# Settings shared by every instance.
cat >"$DV/common.conf" <<EOF
# Generated by tests/servers/start.sh -- shared dovecot settings.
state_dir = $DV/state
ssl = yes
ssl_key = <$PKI/leaf.key
ssl_min_protocol = TLSv1.2
# No plaintext LOGIN/AUTH before TLS (dovecot still treats connections with
# remote IP == local IP as secure, hence the 127.0.0.2 listeners).
disable_plaintext_auth = yes
auth_mechanisms = plain login
# Only the full address is a valid login name: no realm is added and the
# passwd-file has no entry for the bare local part.
auth_username_format = %Lu
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $DV/passwd
}
userdb {
  driver = static
  args = uid=$MAILUSER gid=$MAILGROUP home=$DV/home/%Lu
}
mail_location = maildir:~/Maildir
# Special-use folders (RFC 6154) under names no client would guess, one of
# them non-ASCII (modified UTF-7 on the wire), so that tests prove the
# names come from the server.  Created at the first login.
namespace inbox {
  inbox = yes
  separator = /
  mailbox "$SENT_FOLDER" {
    special_use = \\Sent
    auto = create
  }
  mailbox "$DRAFTS_FOLDER" {
    special_use = \\Drafts
    auto = create
  }
  mailbox "$TRASH_FOLDER" {
    special_use = \\Trash
    auto = create
  }
}
default_login_user = dovenull
default_internal_user = dovecot
log_timestamp = "%Y-%m-%d %H:%M:%S "
EOF

# dovecot_conf NAME PROTOCOLS CERTFILE: write the head of DV/NAME.conf.
dovecot_conf() {
	local name=$1 protocols=$2 cert=$3
	mkdir -p "$RUN/$name"
	cat >"$DV/$name.conf" <<EOF
# Generated by tests/servers/start.sh -- dovecot instance "$name".
!include $DV/common.conf
instance_name = mailsetup-$name-$IMAP_PORT
base_dir = $RUN/$name
log_path = $DIR/logs/dovecot-$name.log
protocols = $protocols
ssl_cert = <$PKI/$cert
EOF
}

mkdir -p "$DV/state"
dovecot_conf main "imap pop3" good-chain.pem
cat >>"$DV/main.conf" <<EOF
service imap-login {
  inet_listener imap {
    address = 127.0.0.1, $ALT_ADDR
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1, $ALT_ADDR
    port = $POP3_PORT
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $POP3S_PORT
    ssl = yes
  }
}
EOF

bad_instance() { # NAME PORT
	dovecot_conf "$1" imap "$1-chain.pem"
	cat >>"$DV/$1.conf" <<EOF
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $2
    ssl = yes
  }
}
EOF
}
bad_instance expired "$IMAPS_EXPIRED_PORT"
bad_instance notyet "$IMAPS_NOTYET_PORT"
bad_instance selfsigned "$IMAPS_SELFSIGNED_PORT"
bad_instance wrongname "$IMAPS_WRONGNAME_PORT"
bad_instance nochain "$IMAPS_NOCHAIN_PORT"

# --------------------------------------------------------------- exim -----
EX=$DIR/exim
EXIM_LOG=$EX/spool/log/mainlog
EXIM_MAILDIR=$EX/maildir
mkdir -p "$EX/spool/log" "$EXIM_MAILDIR/cur" "$EXIM_MAILDIR/new" "$EXIM_MAILDIR/tmp"
chown -R Debian-exim:Debian-exim "$EX/spool" "$EXIM_MAILDIR"
cat >"$EX/exim.conf" <<EOF
# Generated by tests/servers/start.sh -- exim test server.
primary_hostname = $DOMAIN
qualify_domain = $DOMAIN
domainlist local_domains = $DOMAIN

spool_directory = $EX/spool
# Written by Debian-exim, so inside the spool it owns.
log_file_path = $EX/spool/log/%slog
pid_file_path = $EX/spool/exim.pid
log_selector = +smtp_connection +tls_peerdn +received_recipients

local_interfaces = 127.0.0.1
daemon_smtp_ports = $SUBMISSION_PORT : $SUBMISSIONS_PORT : $SMTP_PORT
tls_on_connect_ports = $SUBMISSIONS_PORT
tls_advertise_hosts = *
tls_certificate = $PKI/good-chain.pem
tls_privatekey = $PKI/leaf.key

# AUTH only after TLS, and never on the port-25 style listener.
auth_advertise_hosts = \${if or{{eq{\$received_port}{$SMTP_PORT}}{eq{\$tls_in_cipher}{}}}{}{*}}

# Exim would purge the environment anyway; saying so silences a warning.
keep_environment =
# No DNS or ident lookups: the machine has no network.
host_lookup =
rfc1413_hosts =
# Everything runs as Debian-exim (deliveries too): nothing needs root.
deliver_drop_privilege = true
never_users = root
queue_run_max = 0

acl_smtp_rcpt = acl_check_rcpt

begin acl

acl_check_rcpt:
  # Submission ports (plain+STARTTLS and implicit TLS) need AUTH.
  deny    condition = \${if eq{\$received_port}{$SMTP_PORT}{no}{yes}}
          !authenticated = *
          message = 530 authentication required
  accept  domains = +local_domains
          local_parts = $LOCALPART
  deny    message = relay not permitted

begin routers

local_user:
  driver = accept
  domains = +local_domains
  local_parts = $LOCALPART
  transport = local_maildir

begin transports

local_maildir:
  driver = appendfile
  directory = $EXIM_MAILDIR
  maildir_format
  create_directory
  delivery_date_add
  envelope_to_add
  return_path_add
  user = Debian-exim
  group = Debian-exim
  mode = 0644
  directory_mode = 0755

begin retry

*   *   F,1h,5m

begin authenticators

PLAIN:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and{{eq{\$auth2}{$ADDRESS}}{eq{\$auth3}{$PASSWORD}}}}
  server_set_id = \$auth2

LOGIN:
  driver = plaintext
  public_name = LOGIN
  server_prompts = <| Username: | Password:
  server_condition = \${if and{{eq{\$auth1}{$ADDRESS}}{eq{\$auth2}{$PASSWORD}}}}
  server_set_id = \$auth1
EOF

# --------------------------------------------------------------- start ----
# Each daemon is started through "proc_helper.py daemon", which makes it a
# session leader (stop.sh finds all its children that way) and closes every
# inherited fd but stdio, then execs it under the same PID.
launch() { # NAME LOGFILE COMMAND...
	local name=$1 log=$2
	shift 2
	"$PY" "$HELPER" daemon "$@" </dev/null >>"$log" 2>&1 &
	record_pid "$DIR/pids/$name.pid" $!
}

for name in main expired notyet selfsigned wrongname nochain; do
	launch "dovecot-$name" "$DIR/logs/dovecot-$name.log" \
		"$DOVECOT" -F -c "$DV/$name.conf"
done
# As root, "-C" is accepted without TRUSTED_CONFIG_LIST; -bdf keeps the
# daemon in the foreground (it still forks per connection).
launch exim "$DIR/logs/exim.stderr" "$EXIM" -C "$EX/exim.conf" -bdf

L=127.0.0.1
if ! failed=$("$PY" "$HELPER" wait-listen "$DIR" 10 \
	"dovecot-main=$L:$IMAP_PORT,$ALT_ADDR:$IMAP_PORT,$L:$IMAPS_PORT,$L:$POP3_PORT,$ALT_ADDR:$POP3_PORT,$L:$POP3S_PORT" \
	"dovecot-expired=$L:$IMAPS_EXPIRED_PORT" \
	"dovecot-notyet=$L:$IMAPS_NOTYET_PORT" \
	"dovecot-selfsigned=$L:$IMAPS_SELFSIGNED_PORT" \
	"dovecot-wrongname=$L:$IMAPS_WRONGNAME_PORT" \
	"dovecot-nochain=$L:$IMAPS_NOCHAIN_PORT" \
	"exim=$L:$SUBMISSION_PORT,$L:$SUBMISSIONS_PORT,$L:$SMTP_PORT"); then
	for name in $failed; do
		case $name in
		exim) logs="$DIR/logs/exim.stderr $EX/spool/log/paniclog $EXIM_LOG" ;;
		*) logs="$DIR/logs/$name.log" ;;
		esac
		for log in $logs; do
			[ -s "$log" ] || continue
			echo "---- tail of $log" >&2
			tail -n 15 "$log" >&2
		done
	done
	die "servers failed to start (state in $DIR)"
fi
exec 9>&- # release the port lock

# ------------------------------------------------------------ watchdog ----
# Detached, with stdio away from the caller, so that make does not wait.
# It gets the PID records as arguments: it must be able to stop the servers
# even if DIR is deleted right after start.sh returns.
set --
for f in "$DIR"/pids/*.pid; do
	set -- "$@" "$(basename "$f")=$(cat "$f")"
done
"$PY" "$HELPER" daemon /bin/bash "$HERE/watchdog.sh" "$DIR" "${MS_WATCH_PID:-}" \
	"${MS_MAX_SECONDS:-1800}" "$@" </dev/null >>"$DIR/logs/watchdog.log" 2>&1 &
record_pid "$DIR/watchdog.pid" $!

# ------------------------------------------------------------ env file ----
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
	echo "# Generated by tests/servers/start.sh; source it, stop with stop.sh."
	echo "export MS_SERVERS_DIR=$(q "$DIR")"
	echo "export MS_CA=$(q "$PKI/ca.pem")"
	echo "export MS_HOSTNAME=localhost"
	echo "export MS_ALT_ADDR=$ALT_ADDR"
	echo "export MS_USER=$(q "$ADDRESS")"
	echo "export MS_PASSWORD=$(q "$PASSWORD")"
	echo "export MS_ADDRESS=$(q "$ADDRESS")"
	echo "export MS_LOCALPART_USER=$(q "$LOCALPART")"
	echo "export MS_IMAP_PORT=$IMAP_PORT"
	echo "export MS_IMAPS_PORT=$IMAPS_PORT"
	echo "export MS_POP3_PORT=$POP3_PORT"
	echo "export MS_POP3S_PORT=$POP3S_PORT"
	echo "export MS_IMAPS_EXPIRED_PORT=$IMAPS_EXPIRED_PORT"
	echo "export MS_IMAPS_NOTYET_PORT=$IMAPS_NOTYET_PORT"
	echo "export MS_IMAPS_SELFSIGNED_PORT=$IMAPS_SELFSIGNED_PORT"
	echo "export MS_IMAPS_WRONGNAME_PORT=$IMAPS_WRONGNAME_PORT"
	echo "export MS_IMAPS_NOCHAIN_PORT=$IMAPS_NOCHAIN_PORT"
	echo "export MS_SUBMISSION_PORT=$SUBMISSION_PORT"
	echo "export MS_SUBMISSIONS_PORT=$SUBMISSIONS_PORT"
	echo "export MS_SMTP_PORT=$SMTP_PORT"
	echo "export MS_EXIM_MAILDIR=$(q "$EXIM_MAILDIR")"
	echo "export MS_EXIM_LOG=$(q "$EXIM_LOG")"
	echo "export MS_SENT_FOLDER=$(q "$SENT_FOLDER")"
	echo "export MS_DRAFTS_FOLDER=$(q "$DRAFTS_FOLDER")"
	echo "export MS_TRASH_FOLDER=$(q "$TRASH_FOLDER")"
} >"$DIR/servers.env.tmp"
mv "$DIR/servers.env.tmp" "$DIR/servers.env"
started=yes
