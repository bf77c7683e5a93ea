#!/usr/bin/env bash
# Compares Entrepot with Debian's docker-registry (CNCF distribution 2.8) on this machine.
#
# For each registry, on loopback and with an empty filesystem root:
#   - wall time of `skopeo copy` pushing, then pulling, an image of about 100 MiB,
#     repeated RUNS times, each time on a freshly started registry with a new root;
#   - manifest GET requests per second measured with hey at concurrency 1, 16 and 64.
#
# Both registries read the same config.yml, apart from the root directory and the
# address. Entrepot runs from target/entrepot.jar with default Java options, through
# the ./entrepot launcher, which builds the jar when it is missing.
#
# Usage: bench/run.sh            (settings below can be overridden from the environment)
# Needs: umoci, skopeo, hey, docker-registry, curl, and a JDK 21+ for Entrepot.
set -euo pipefail
shopt -s inherit_errexit

REGISTRIES="${REGISTRIES:-entrepot docker-registry}"
RUNS="${RUNS:-3}"                        # push/pull repetitions per registry
LAYER_COUNT="${LAYER_COUNT:-5}"          # random layers in the large image
LAYER_MIB="${LAYER_MIB:-20}"             # size of each random layer, in MiB
HEY_REQUESTS_C1="${HEY_REQUESTS_C1:-5000}"
HEY_REQUESTS="${HEY_REQUESTS:-20000}"    # requests at concurrency 16 and 64
HEY_TIME_LIMIT="${HEY_TIME_LIMIT:-120}"  # seconds before a hey run is killed
WARMUP_REQUESTS="${WARMUP_REQUESTS:-5000}"

readonly OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
project_dir="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)"
work="$(mktemp -d /tmp/entrepot-bench.XXXXXX)"
server_pid=""
results="$work/results.tsv"
commands="$work/commands.txt"

cleanup() {
    stop_server
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "==> $*" >&2; }

die() {
    echo "bench: $*" >&2
    exit 1
}

# Runs a command after recording its exact command line for the report.
run_recorded() {
    printf '%q ' "$@" >> "$commands"
    echo >> "$commands"
    "$@"
}

check_tools() {
    local tool
    for tool in umoci skopeo hey docker-registry curl; do
        command -v "$tool" > /dev/null || die "$tool is not on the PATH. Install the Debian package of the same name."
    done
}

# Prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
    local port
    for port in $(shuf -i 20000-60000 -n 50); do
        if ! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
            echo "$port"
            return
        fi
    done
    die "no free port found on 127.0.0.1 after 50 tries"
}

# Builds the large image (LAYER_COUNT layers of LAYER_MIB MiB of random bytes) tagged
# "big", and a one-layer image tagged "small", in the OCI layout $work/layout.
build_images() {
    local layout="$work/layout" i
    log "building a $((LAYER_COUNT * LAYER_MIB)) MiB image with umoci"
    umoci init --layout "$layout"
    umoci new --image "$layout:big"
    for ((i = 1; i <= LAYER_COUNT; i++)); do
        head -c "$((LAYER_MIB * 1024 * 1024))" /dev/urandom > "$work/layer-$i.bin"
        umoci insert --rootless --image "$layout:big" "$work/layer-$i.bin" "/data/layer-$i.bin"
        rm -f -- "$work/layer-$i.bin"
    done
    umoci config --image "$layout:big" --os linux --architecture amd64

    umoci new --image "$layout:small"
    cp /etc/os-release "$work/os-release"
    umoci insert --rootless --image "$layout:small" "$work/os-release" /etc/os-release
    umoci config --image "$layout:small" --os linux --architecture amd64
}

write_config() {
    local file="$1" root="$2" port="$3"
    cat > "$file" <<EOF
version: 0.1
log:
  level: info
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $root
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
}

# Starts registry $1 ("entrepot" or "docker-registry") on a new root and port, and waits
# until GET /v2/ responds. Sets server_pid and port.
start_server() {
    local name="$1" run="$2" config root
    port="$(free_port)"
    root="$work/root-$name-$run"
    config="$work/config-$name.yml"
    mkdir -p "$root"
    write_config "$config" "$root" "$port"

    case "$name" in
        entrepot)
            echo "./entrepot serve $config" >> "$commands"
            "$project_dir/entrepot" serve "$config" > "$work/$name.log" 2>&1 &
            ;;
        docker-registry)
            echo "docker-registry serve $config" >> "$commands"
            docker-registry serve "$config" > "$work/$name.log" 2>&1 &
            ;;
        *) die "unknown registry in REGISTRIES: $name (expected entrepot or docker-registry)" ;;
    esac
    server_pid=$!

    local deadline=$((SECONDS + 60))
    until curl -fs -o /dev/null "http://127.0.0.1:$port/v2/" 2> /dev/null; do
        if ! kill -0 "$server_pid" 2> /dev/null; then
            tail -n 30 "$work/$name.log" >&2
            die "$name exited before responding to GET /v2/ (log above)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 30 "$work/$name.log" >&2
            die "$name did not respond to GET /v2/ within 60 s (log above)"
        fi
        sleep 0.2
    done
}

stop_server() {
    [[ -n "$server_pid" ]] || return 0
    kill "$server_pid" 2> /dev/null || true
    wait "$server_pid" 2> /dev/null || true
    server_pid=""
}

# Prints the wall time, in seconds with millisecond precision, of the given command.
time_command() {
    local start end
    start="$(date +%s%N)"
    "$@" > /dev/null
    end="$(date +%s%N)"
    awk -v ns="$((end - start))" 'BEGIN { printf "%.3f", ns / 1e9 }'
}

measure_copy() {
    local name="$1" run pull_dir push_seconds pull_seconds
    for ((run = 1; run <= RUNS; run++)); do
        start_server "$name" "$run"
        push_seconds="$(time_command run_recorded skopeo --insecure-policy copy --quiet \
            --dest-tls-verify=false "oci:$work/layout:big" "docker://127.0.0.1:$port/bench/big:v1")"
        pull_dir="$work/pull-$name-$run"
        pull_seconds="$(time_command run_recorded skopeo --insecure-policy copy --quiet \
            --src-tls-verify=false "docker://127.0.0.1:$port/bench/big:v1" "oci:$pull_dir:v1")"
        rm -rf -- "$pull_dir"
        printf '%s\tpush\t%s\t%s\n' "$name" "$run" "$push_seconds" >> "$results"
        printf '%s\tpull\t%s\t%s\n' "$name" "$run" "$pull_seconds" >> "$results"
        log "$name run $run: push ${push_seconds}s, pull ${pull_seconds}s"
        # The last run's server stays up for the manifest benchmark.
        ((run == RUNS)) || stop_server
    done
}

# Runs hey against the small image's manifest at concurrency 1, 16 and 64.
measure_manifest_gets() {
    local name="$1" url concurrency requests output
    run_recorded skopeo --insecure-policy copy --quiet --dest-tls-verify=false \
        "oci:$work/layout:small" "docker://127.0.0.1:$port/bench/small:v1"
    url="http://127.0.0.1:$port/v2/bench/small/manifests/v1"

    # Not reported: lets the JIT compile the request path before the measured runs.
    hey -n "$WARMUP_REQUESTS" -c 16 -H "Accept: $OCI_MANIFEST" "$url" > /dev/null

    for concurrency in 1 16 64; do
        requests="$HEY_REQUESTS"
        ((concurrency > 1)) || requests="$HEY_REQUESTS_C1"
        # hey ignores -n when -z is given, so the time limit is enforced by timeout.
        if ! output="$(run_recorded timeout "$HEY_TIME_LIMIT" hey -n "$requests" -c "$concurrency" \
            -H "Accept: $OCI_MANIFEST" "$url")"; then
            printf '%s\tget-c%s\t-\ttimed out after %ss\n' "$name" "$concurrency" "$HEY_TIME_LIMIT" >> "$results"
            continue
        fi
        printf '%s\tget-c%s\t%s\t%s\n' "$name" "$concurrency" "$requests" "$(summarize_hey "$output")" >> "$results"
    done
}

# Prints requests/s, median and 99th percentile latency, and the count of each HTTP
# status from hey's summary. hey sends floor(n / c) requests per worker, so at c=64
# the count is slightly below -n.
summarize_hey() {
    awk '
        /Requests\/sec:/ { rps = $2 }
        /50% in/ { p50 = $3 * 1000 }
        /99% in/ { p99 = $3 * 1000 }
        /^  \[[0-9]+\]/ { codes = codes $1 "x" $2 " " }
        END { printf "%.0f req/s, p50 %.2f ms, p99 %.2f ms, status %s", rps, p50, p99, codes }
    ' <<< "$1"
}

print_machine() {
    echo "## Machine"
    echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cpus:    $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'))"
    echo "memory:  $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel:  $(uname -r)"
    echo "java:    $("${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -version 2>&1 | head -n 1)"
    echo "tools:   $(skopeo --version), $(umoci --version), $(docker-registry --version)"
}

print_results() {
    echo
    echo "## Push and pull of the $((LAYER_COUNT * LAYER_MIB)) MiB image (wall seconds, $RUNS runs)"
    printf '%-16s %-5s %s\n' registry step "seconds per run"
    awk -F'\t' '$2 == "push" || $2 == "pull" { key = $1 " " $2; times[key] = times[key] " " $4; order[key] = 1 }
        END { for (k in order) { split(k, p, " "); printf "%-16s %-5s%s\n", p[1], p[2], times[k] } }' \
        "$results" | sort
    echo
    echo "## Manifest GET (hey, Accept: $OCI_MANIFEST)"
    printf '%-16s %-8s %-9s %s\n' registry test requests result
    awk -F'\t' '$2 ~ /^get-/ { printf "%-16s %-8s %-9s %s\n", $1, $2, $3, $4 }' "$results"
    echo
    echo "## Configuration (the same for both registries)"
    # Written to a file first: writing to /dev/stdout would truncate a redirected output file.
    write_config "$work/config-report.yml" '$WORK/root-<registry>-<run>' PORT
    cat "$work/config-report.yml"
    echo
    echo "## Commands"
    # Ports and directories change from run to run, so they are replaced by names.
    sed -E 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g; s#'"$work"'/pull-[^:]+#$WORK/pull#g; s#'"$work"'#$WORK#g' \
        "$commands" | awk '!seen[$0]++'
}

main() {
    check_tools
    : > "$results"
    : > "$commands"
    build_images
    for name in $REGISTRIES; do
        log "measuring $name"
        measure_copy "$name"
        measure_manifest_gets "$name"
        stop_server
    done
    print_machine
    print_results
}

main "$@"
