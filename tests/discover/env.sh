# env.sh - sourced by tests/integration/discover.test: a real DNS server
# (dnsmasq) and an HTTPS server (https_server.py) on 127.0.0.1 for test
# domains under .test, with certificates from the suite's throw-away CA.
# Both are stopped by the PIDs recorded here when the test exits.

DT=$(mktemp -d "${TMPDIR:-/tmp}/ms-discover.XXXXXX")
DOCROOT=$DT/www
mkdir -p "$DOCROOT"
_pids=
stop_discover_servers() {
	for p in $_pids; do kill "$p" 2>/dev/null; done
	for p in $_pids; do wait "$p" 2>/dev/null; done
	rm -rf "$DT"
}
trap stop_discover_servers EXIT

# ---- certificates: a leaf for every web name, and a self-signed twin
WEB_NAMES="ispdb.server.test autoconfig.ac.test wk.test autoconfig.broken.test broken.test
autoconfig.badcert.test loop.test autoconfig.slow.test slow.test
autoconfig.hoster.test hoster.test autoconfig.eu.hoster.test eu.hoster.test"
san=
for n in $WEB_NAMES; do san="${san:+$san,}DNS:$n"; done
PKI=$MS_SERVERS_DIR/pki
cat >"$DT/ext.cnf" <<EOC
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $san
EOC
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$DT/web.key" 2>/dev/null
openssl req -new -key "$DT/web.key" -subj "/CN=mailsetup discover test web" -out "$DT/web.csr" 2>/dev/null
openssl x509 -req -in "$DT/web.csr" -CA "$PKI/intermediate.pem" -CAkey "$PKI/intermediate.key" \
	-set_serial "0x$(openssl rand -hex 8)" -days 2 -extfile "$DT/ext.cnf" -extensions leaf \
	-out "$DT/web.pem" 2>/dev/null
cat "$DT/web.pem" "$PKI/intermediate.pem" >"$DT/web-chain.pem"
openssl req -new -x509 -key "$DT/web.key" -subj "/CN=mailsetup discover self-signed" -days 2 \
	-config "$DT/ext.cnf" -extensions leaf -out "$DT/bad.pem" 2>/dev/null

# ---- the web server
/usr/bin/python3 "$top_srcdir/tests/discover/https_server.py" "$DOCROOT" "$DT/web.log" \
	"$DT/web.ports" "$DT/web-chain.pem" "$DT/web.key" "$DT/bad.pem" "$DT/web.key" \
	>"$DT/web.err" 2>&1 &
_pids="$_pids $!"
for _ in $(seq 100); do [ -s "$DT/web.ports" ] && break; sleep 0.05; done
read -r WEB_PORT BAD_PORT <"$DT/web.ports" || bail "the test web server did not start: $(cat "$DT/web.err")"

# ---- the DNS server
DNS_PORT=$(/usr/bin/python3 "$top_srcdir/tests/servers/proc_helper.py" pick-ports 1)
dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --keep-in-foreground --port="$DNS_PORT" \
	--listen-address=127.0.0.1 --bind-interfaces --log-facility="$DT/dns.log" --log-queries \
	--local=/test/ \
	--host-record=mail.test,127.0.0.1 \
	--mx-host=custom.test,mx1.eu.hoster.test,10 --mx-host=custom.test,mx9.elsewhere.test,20 \
	--srv-host=_imaps._tcp.srv.test,mail.test,"$MS_IMAPS_PORT",0,10 \
	--srv-host=_imap._tcp.srv.test,mail.test,"$MS_IMAP_PORT",10,10 \
	--srv-host=_submissions._tcp.srv.test,mail.test,"$MS_SUBMISSIONS_PORT",0,10 \
	--srv-host=_submission._tcp.srv.test,mail.test,"$MS_SUBMISSION_PORT",0,10 \
	--srv-host=_pop3s._tcp.srv.test \
	--srv-host=_imaps._tcp.both.test,localhost,"$MS_IMAPS_PORT",0,10 \
	>"$DT/dns.err" 2>&1 &
_pids="$_pids $!"
for _ in $(seq 100); do
	/usr/bin/python3 - "$DNS_PORT" <<'EOP' && break
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
# a minimal query for mail.test A
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04mail\x04test\x00\x00\x01\x00\x01"
s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
try:
    s.recv(512)
except OSError:
    sys.exit(1)
EOP
	sleep 0.05
done

# An autoconfig document naming the suite's real servers (mail.test is in
# their certificate and resolves to 127.0.0.1 in dnsmasq).
autoconfig_xml() { # ID
	cat <<EOX
<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="$1">
    <domain>$1</domain>
    <displayName>Test provider $1</displayName>
    <incomingServer type="imap">
      <hostname>mail.test</hostname><port>$MS_IMAP_PORT</port>
      <socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>mail.test</hostname><port>$MS_IMAPS_PORT</port>
      <socketType>SSL</socketType><username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>mail.test</hostname><port>$MS_POP3S_PORT</port>
      <socketType>SSL</socketType><username>%EMAILADDRESS%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>mail.test</hostname><port>$MS_SUBMISSIONS_PORT</port>
      <socketType>SSL</socketType><username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
EOX
}

# put HOST PATH: stdin becomes the document served at https://HOST/PATH
put() {
	mkdir -p "$(dirname "$DOCROOT/$1/$2")"
	cat >"$DOCROOT/$1/$2"
}

ISPDB="https://ispdb.server.test/v1.1/"
# discover ARGS...: mailsetup discover with the test network only.
discover() {
	run_ms discover --cafile "$MS_CA" --dns-server "127.0.0.1:$DNS_PORT" \
		--ispdb-url "$ISPDB" --connect-to "ispdb.server.test:443:127.0.0.1:$WEB_PORT" "$@"
}

# The person's own provider files live under this HOME, not the real one.
export HOME=$DT/home
unset XDG_CONFIG_HOME
mkdir -p "$HOME/.config/mailsetup/isp"
