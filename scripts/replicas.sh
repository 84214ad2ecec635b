#!/usr/bin/env bash
# rampart's deployment recipe, run for real: three seed-app replicas on
# loopback behind nginx, which terminates TLS and sets X-Forwarded-*. It shows
#   1. a token issued by one replica is accepted by another (no shared store:
#      every replica holds the same key ring, RAMPART_CSRF_KEY);
#   2. rolling the key ring in two rounds (new key second, then first),
#      restarting one replica at a time, keeps every form in flight valid;
#   3. a replica started with a different ring refuses the others' tokens and
#      its log says why.
# Needs nginx, openssl and curl (Debian: nginx openssl curl). Exits nonzero on
# the first thing that does not hold. Used by .ci/run.
#   scripts/replicas.sh                 # builds the seed app (debug) if needed
#   SEED_APP=path/to/seed_app scripts/replicas.sh
set -euo pipefail
cd "$(dirname "$0")/.."

command -v nginx >/dev/null || { echo "replicas: nginx is not installed (apt-get install nginx)"; exit 2; }
if [ -z "${SEED_APP:-}" ]; then
  cargo build -q --example seed_app
  SEED_APP=target/debug/examples/seed_app
fi
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
key() { openssl rand -base64 32 | tr '+/' '-_' | tr -d '=\n'; }
ok() { echo "  ok: $*"; }
fail() { echo "  FAILED: $*"; for f in "$dir"/replica*.log; do echo "--- $f"; tail -5 "$f"; done; exit 1; }

TLS=$(free_port)
declare -A port
for r in 1 2 3 4; do port[$r]=$(free_port); done
K1=$(key); K2=$(key); K3=$(key)

# A certificate for app.test, and nginx in front of the replicas. X-Replica
# picks one replica, so that the demonstration can choose who issues and who checks.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=app.test \
  -addext subjectAltName=DNS:app.test -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
mkdir -p "$dir/tmp"
cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events {}
http {
  access_log off;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  upstream seed { server 127.0.0.1:${port[1]}; server 127.0.0.1:${port[2]}; server 127.0.0.1:${port[3]}; }
  map \$http_x_replica \$backend {
    default seed;
    1 127.0.0.1:${port[1]}; 2 127.0.0.1:${port[2]}; 3 127.0.0.1:${port[3]}; 4 127.0.0.1:${port[4]};
  }
  server {
    listen 127.0.0.1:$TLS ssl;
    server_name app.test;
    ssl_certificate $dir/cert.pem;
    ssl_certificate_key $dir/key.pem;
    location / {
      proxy_pass http://\$backend;
      # The three lines the README's recipe asks for.
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host  \$http_host;
      proxy_set_header X-Forwarded-For   \$proxy_add_x_forwarded_for;
    }
  }
}
EOF

start() { # replica ring
  NO_COLOR=1 RAMPART_CSRF_KEY=$2 "$SEED_APP" --addr "127.0.0.1:${port[$1]}" --allowed-host app.test \
    >> "$dir/replica$1.log" 2>&1 &
  pid[$1]=$!
  pids+=("${pid[$1]}")
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:${port[$1]}/health" && return 0
    sleep 0.1
  done
  fail "replica $1 did not start"
}
declare -A pid
restart() { kill "${pid[$1]}"; wait "${pid[$1]}" 2>/dev/null || true; start "$1" "$2"; }

url="https://app.test:$TLS"
CURL=(curl -s --cacert "$dir/cert.pem" --resolve "app.test:$TLS:127.0.0.1")

# A form from replica $1: "cookie token" (the __Host- secret cookie and the form's token).
form() {
  local page
  page=$("${CURL[@]}" -D "$dir/h" -H "X-Replica: $1" "$url/login")
  local cookie token
  cookie=$(grep -i '^set-cookie: __Host-csrf=' "$dir/h" | head -1 | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
  token=$(sed -n 's/.*name="_csrf_token" value="\([^"]*\)".*/\1/p' <<< "$page")
  [ -n "$cookie" ] && [ -n "$token" ] || fail "replica $1 issued no form"
  echo "$cookie $token"
}
# Posts form ($2 = "cookie token") to replica $1; prints the status.
post() {
  local cookie=${2% *} token=${2#* }
  "${CURL[@]}" -o "$dir/body" -w '%{http_code}' -H "X-Replica: $1" -H "Cookie: $cookie" \
    -H "Origin: $url" --data-urlencode "username=ada" --data-urlencode "password=pw" \
    --data-urlencode "_csrf_token=$token" "$url/login"
}

for r in 1 2 3; do start $r "$K1"; done
nginx -c "$dir/nginx.conf" -e "$dir/nginx-error.log"
for _ in $(seq 50); do "${CURL[@]}" -o /dev/null "$url/health" && break; sleep 0.1; done

echo "1. A token from one replica, checked by another"
f=$(form 1)
[ "$(post 2 "$f")" = 200 ] && grep -q "Welcome" "$dir/body" || fail "replica 2 refused replica 1's token"
ok "issued by replica 1, accepted by replica 2"
[ "$(post 3 "$(form 2)")" = 200 ] || fail "replica 3 refused replica 2's token"
ok "issued by replica 2, accepted by replica 3"
[ "$("${CURL[@]}" -o /dev/null -w '%{http_code}' -H "X-Replica: 1" -H "Origin: $url" \
      -d "username=ada&password=pw" "$url/login")" = 403 ] || fail "a post without a token was not refused"
ok "a post without a token is refused (403)"

echo "2. Rolling a new key in, one replica at a time, forms in flight kept"
inflight=$(form 3)
declare -A said=(["$K1,$K2"]="new key second (accepted, not yet signing)" ["$K2,$K1"]="new key first (signing)")
for round in "$K1,$K2" "$K2,$K1"; do
  for r in 1 2 3; do
    restart $r "$round"
    other=$(( r % 3 + 1 ))
    [ "$(post $r "$inflight")" = 200 ] || fail "restarted replica $r refused a form in flight"
    [ "$(post $other "$(form $r)")" = 200 ] || fail "replica $other refused restarted replica $r's form"
    [ "$(post $r "$(form $other)")" = 200 ] || fail "restarted replica $r refused replica $other's form"
  done
  ok "${said[$round]}: every replica restarted in turn, every form accepted everywhere"
done
newest=$(form 1)

echo "3. A replica on another key ring"
start 4 "$K3"
[ "$(post 4 "$newest")" = 403 ] || fail "replica 4 (other ring) accepted replica 1's token"
grep -q "not signed by any key in this server's ring" "$dir/replica4.log" || fail "replica 4 logged no reason"
ok "replica 4 refuses replica 1's token (403), and logs:"
grep "not signed by any key" "$dir/replica4.log" | tail -1 | sed 's/^/      /'
echo "replicas: all held"
