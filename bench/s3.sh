#!/usr/bin/env bash
# Times skopeo push and pull of a ~100 MiB image through Entrepot's s3 driver and through
# Debian's docker-registry (distribution 2.8.2) with its s3 driver, both against one S3Proxy
# on loopback, with blob redirects on (the default of both). Prints one line per run, then
# the time of each of Entrepot's upload PATCH and PUT requests from its access log.
#
# Usage: bench/s3.sh [runs]   (from the repository root; builds target/entrepot.jar if missing)
set -euo pipefail

RUNS=${1:-3}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
S3PROXY_JAR=${S3PROXY_JAR:-$HOME/.m2/repository/org/gaul/s3proxy/4.1.0/s3proxy-4.1.0-jar-with-dependencies.jar}
WORK=$(mktemp -d /tmp/entrepot-s3-bench.XXXXXX)
S3_PORT=19400
ENTREPOT_PORT=19401
DISTRIBUTION_PORT=19402
KEY=bench-access
SECRET=bench-secret-key
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

wait_for() { # url
    for _ in $(seq 1 300); do
        curl -s -o /dev/null "$1" && return 0
        sleep 0.2
    done
    echo "timed out waiting for $1" >&2
    return 1
}

[ -f "$ROOT/target/entrepot.jar" ] || (cd "$ROOT" && JAVA_HOME=$JAVA_HOME mvn -q -B package -DskipTests)
[ -f "$S3PROXY_JAR" ] || { echo "S3Proxy jar missing: $S3PROXY_JAR" >&2; exit 1; }

# ---- S3Proxy and two buckets ----
mkdir -p "$WORK/s3data"
cat > "$WORK/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$KEY
s3proxy.credential=$SECRET
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$WORK/s3data
CONF
"$JAVA" -jar "$S3PROXY_JAR" --properties "$WORK/s3proxy.conf" > "$WORK/s3proxy.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$S3_PORT/"
for bucket in entrepot distribution; do
    # S3Proxy checks the payload hash, which curl leaves out; this is the hash of an empty body.
    curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" -u "$KEY:$SECRET" -X PUT \
        -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "http://127.0.0.1:$S3_PORT/$bucket" > /dev/null
done

# ---- a 100 MiB single-layer OCI image ----
image="$WORK/image"
mkdir -p "$image/blobs/sha256" "$WORK/layer"
head -c $((100 * 1024 * 1024)) /dev/urandom > "$WORK/layer/data.bin"
tar -C "$WORK/layer" -cf "$WORK/layer.tar" data.bin
gzip -1 -c "$WORK/layer.tar" > "$WORK/layer.tar.gz"
diff_id=$(sha256sum "$WORK/layer.tar" | cut -d' ' -f1)
layer=$(sha256sum "$WORK/layer.tar.gz" | cut -d' ' -f1)
layer_size=$(stat -c %s "$WORK/layer.tar.gz")
mv "$WORK/layer.tar.gz" "$image/blobs/sha256/$layer"
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$diff_id" > "$WORK/config.json"
config=$(sha256sum "$WORK/config.json" | cut -d' ' -f1)
config_size=$(stat -c %s "$WORK/config.json")
mv "$WORK/config.json" "$image/blobs/sha256/$config"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}' \
    "$config" "$config_size" "$layer" "$layer_size" > "$WORK/manifest.json"
manifest=$(sha256sum "$WORK/manifest.json" | cut -d' ' -f1)
manifest_size=$(stat -c %s "$WORK/manifest.json")
mv "$WORK/manifest.json" "$image/blobs/sha256/$manifest"
printf '{"imageLayoutVersion":"1.0.0"}' > "$image/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' \
    "$manifest" "$manifest_size" > "$image/index.json"
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$WORK/policy.json"

config_yml() { # port bucket log-level
    cat <<YML
version: 0.1
log:
  level: $3
storage:
  s3:
    accesskey: $KEY
    secretkey: $SECRET
    region: us-east-1
    regionendpoint: http://127.0.0.1:$S3_PORT
    forcepathstyle: true
    secure: false
    v4auth: true
    bucket: $2
    rootdirectory: /registry
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$1
YML
}

seconds() { # command...
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

bench() { # name port
    for run in $(seq 1 "$RUNS"); do
        # A new repository per run, because skopeo skips blobs that the repository already has.
        local repository="bench/image-$run" out="$WORK/pulled-$1-$run"
        push=$(seconds skopeo --policy "$WORK/policy.json" copy --dest-tls-verify=false "oci:$image:v1" "docker://127.0.0.1:$2/$repository:v1")
        pull=$(seconds skopeo --policy "$WORK/policy.json" copy --src-tls-verify=false "docker://127.0.0.1:$2/$repository:v1" "oci:$out:v1")
        pulled=$(grep -o 'sha256:[0-9a-f]*' "$out/index.json" | head -1)
        [ "$pulled" = "sha256:$manifest" ] || { echo "$1: pulled manifest $pulled differs from sha256:$manifest" >&2; exit 1; }
        rm -rf "$out"
        printf '%-13s run %d  push %6.2f s  pull %6.2f s\n' "$1" "$run" "$push" "$pull"
    done
}

# ---- Entrepot ----
# Entrepot logs at info so that its access log gives the time of each upload request.
config_yml $ENTREPOT_PORT entrepot info > "$WORK/entrepot.yml"
env -u AWS_CA_BUNDLE AWS_EC2_METADATA_DISABLED=true "$JAVA" -Xmx512m -jar "$ROOT/target/entrepot.jar" serve "$WORK/entrepot.yml" > "$WORK/entrepot.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$ENTREPOT_PORT/v2/" || { cat "$WORK/entrepot.log"; exit 1; }
bench entrepot $ENTREPOT_PORT
# Prints the time of each upload PATCH and completing PUT (the layer's, then the config's).
grep -E 'method="(PATCH|PUT)" path="/v2/bench/[^"]*/blobs/uploads/' "$WORK/entrepot.log" \
    | sed -E 's/.*method="([A-Z]+)".*status="([0-9]+)".*duration_ms="([0-9.]+)".*/entrepot      \1 \2 \3 ms/' || true

# ---- distribution 2.8.2 ----
config_yml $DISTRIBUTION_PORT distribution warn > "$WORK/distribution.yml"
# distribution 2.8.2 panics at start-up when AWS_CA_BUNDLE is set with a plain-http endpoint.
env -u AWS_CA_BUNDLE AWS_EC2_METADATA_DISABLED=true docker-registry serve "$WORK/distribution.yml" > "$WORK/distribution.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$DISTRIBUTION_PORT/v2/" || { cat "$WORK/distribution.log"; exit 1; }
bench distribution $DISTRIBUTION_PORT
