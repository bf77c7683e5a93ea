#!/usr/bin/env bash
# Measures manifest GET requests per second through nginx in front of one or three
# Entrepot instances that share one filesystem root. nginx runs the deployment file
# deploy/nginx/entrepot.conf, moved onto loopback ports and given a test certificate. The
# blob descriptor cache is off, in memory, or in Redis.
#
# For each combination: starts Redis (for the redis cache), the instances and nginx, pushes
# a one-layer image with curl, sends WARMUP_REQUESTS unmeasured GETs, then runs hey at
# each concurrency in CONCURRENCIES and prints one table row per run.
#
# Usage: bench/cluster.sh        (settings below can be overridden from the environment)
# Needs: nginx, redis-server, openssl, hey, curl, and target/entrepot.jar (mvn package).
set -euo pipefail
shopt -s inherit_errexit

CACHES="${CACHES:-none inmemory redis}"
INSTANCE_COUNTS="${INSTANCE_COUNTS:-1 3}"
CONCURRENCIES="${CONCURRENCIES:-16 64}"
# "tag" requests the manifest by tag, which reads the tag link and the manifest and consults
# no cache; "digest" requests it by digest, which looks the revision link up in the cache.
REFERENCES="${REFERENCES:-tag digest}"
REQUESTS="${REQUESTS:-20000}"
WARMUP_REQUESTS="${WARMUP_REQUESTS:-5000}"

readonly OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
project_dir="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)"
work="$(mktemp -d /tmp/entrepot-cluster-bench.XXXXXX)"
pids=()

stop_all() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2> /dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2> /dev/null || true
    done
    pids=()
}
cleanup() {
    stop_all
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "==> $*" >&2; }
die() {
    echo "bench: $*" >&2
    exit 1
}

for tool in nginx redis-server openssl hey curl; do
    command -v "$tool" > /dev/null || die "$tool is not on the PATH. Install its Debian package."
done
[[ -f "$project_dir/target/entrepot.jar" ]] || die "target/entrepot.jar is missing; run mvn package first."

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

await_port() {
    local port="$1" tries=0
    until curl -ks -o /dev/null "http://127.0.0.1:$port/" || curl -ks -o /dev/null "https://127.0.0.1:$port/"; do
        ((++tries < 600)) || die "nothing responds on port $port after 60 s"
        sleep 0.1
    done
}

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=registry.test \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/registry.key" -out "$work/registry.crt" 2> /dev/null

# Starts one combination; sets nginx_port.
start_stack() {
    local cache="$1" count="$2" redis_section="" i port upstream=""
    rm -rf -- "$work/root" "$work/nginx"
    mkdir -p "$work/root" "$work/nginx"
    if [[ "$cache" == redis ]]; then
        local redis_port
        redis_port="$(free_port)"
        redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
            --dir "$work" --logfile "$work/redis.log" &
        pids+=($!)
        redis_section="redis: {addr: \"127.0.0.1:$redis_port\"}"
    fi
    local cache_section=""
    [[ "$cache" != none ]] && cache_section="  cache: {blobdescriptor: $cache}"

    for ((i = 1; i <= count; i++)); do
        port="$(free_port)"
        cat > "$work/entrepot-$i.yml" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $work/root}
$cache_section
  maintenance: {uploadpurging: {enabled: false}}
$redis_section
http: {addr: "127.0.0.1:$port", trustedproxies: [127.0.0.1]}
YAML
        "$project_dir/entrepot" serve "$work/entrepot-$i.yml" > "$work/entrepot-$i.log" 2>&1 &
        pids+=($!)
        upstream+="    server 127.0.0.1:$port max_fails=3 fail_timeout=30s;"$'\n'
        instance_ports[i]="$port"
    done
    for ((i = 1; i <= count; i++)); do
        await_port "${instance_ports[i]}"
    done

    nginx_port="$(free_port)"
    local http_port
    http_port="$(free_port)"
    # The deployment file, with its three upstream servers replaced by this run's instances.
    awk -v servers="$upstream" '
        /server entrepot-1:5000/ { printf "%s", servers; next }
        /server entrepot-[0-9]:5000/ { next }
        { print }' "$project_dir/deploy/nginx/entrepot.conf" \
        | sed -e "s#/etc/nginx/certs#$work#" \
              -e "s/listen 443 ssl/listen 127.0.0.1:$nginx_port ssl/" -e "/listen \[::\]/d" \
              -e "s/listen 80;/listen 127.0.0.1:$http_port;/" > "$work/nginx/entrepot.conf"
    cat > "$work/nginx/nginx.conf" <<NGINX
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
worker_processes 1;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    include $work/nginx/entrepot.conf;
}
NGINX
    nginx -c "$work/nginx/nginx.conf" -p "$work/nginx/" -g 'daemon off;' &
    pids+=($!)
    await_port "$nginx_port"
}

# Pushes a config blob and a manifest tagged v1 through nginx; sets manifest_digest.
push_image() {
    local base="https://127.0.0.1:$nginx_port" config='{"architecture":"amd64","os":"linux"}' config_digest manifest
    config_digest="sha256:$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
    curl -ksf -X POST --data-binary "$config" -H 'Content-Type: application/octet-stream' \
        "$base/v2/bench/small/blobs/uploads/?digest=$config_digest" > /dev/null
    manifest="{\"schemaVersion\":2,\"mediaType\":\"$OCI_MANIFEST\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"$config_digest\",\"size\":${#config}},\"layers\":[]}"
    curl -ksf -X PUT --data-binary "$manifest" -H "Content-Type: $OCI_MANIFEST" "$base/v2/bench/small/manifests/v1" > /dev/null
    manifest_digest="sha256:$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)"
}

echo "| instances | cache | reference | concurrency | requests | requests/s | p50 | p99 | responses |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for count in $INSTANCE_COUNTS; do
    for cache in $CACHES; do
        log "$count instance(s), cache $cache"
        declare -a instance_ports=()
        start_stack "$cache" "$count"
        push_image
        for reference in $REFERENCES; do
            url="https://127.0.0.1:$nginx_port/v2/bench/small/manifests/v1"
            [[ "$reference" == digest ]] && url="https://127.0.0.1:$nginx_port/v2/bench/small/manifests/$manifest_digest"
            hey -n "$WARMUP_REQUESTS" -c 16 -H "Accept: $OCI_MANIFEST" "$url" > /dev/null
            for concurrency in $CONCURRENCIES; do
                output="$(hey -n "$REQUESTS" -c "$concurrency" -H "Accept: $OCI_MANIFEST" "$url")"
                rps="$(awk '/Requests\/sec:/ { printf "%d", $2 }' <<< "$output")"
                p50="$(awk '/ 50% in / { printf "%.1f ms", $3 * 1000 }' <<< "$output")"
                p99="$(awk '/ 99% in / { printf "%.1f ms", $3 * 1000 }' <<< "$output")"
                statuses="$(awk '/^ *\[[0-9]+\]/ { gsub(/[\[\]]/, "", $1); printf "%s%s × %s", sep, $2, $1; sep = ", " }' <<< "$output")"
                sent=$((REQUESTS / concurrency * concurrency))
                echo "| $count | $cache | $reference | $concurrency | $sent | $rps | $p50 | $p99 | $statuses |"
            done
        done
        stop_all
    done
done
