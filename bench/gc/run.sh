#!/usr/bin/env bash
# Times `entrepot garbage-collect` beside Debian's `docker-registry garbage-collect`
# (CNCF distribution 2.8.2) on copies of one generated storage directory.
#
# Needs python3, docker-registry, bc and target/entrepot.jar (`mvn -DskipTests package`).
# The jar runs directly with $JAVA (default: the Temurin 25 JDK), not through ./entrepot,
# because the launcher rebuilds a jar older than the sources and that would be timed too.
# The directory is generated once by generate.py (sizes through its environment
# variables), then copied for each run, so every collector starts from the same state.
set -euo pipefail

readonly RUNS="${RUNS:-3}"
readonly WORK="${WORK:-$(mktemp -d /tmp/entrepot-gc-bench.XXXXXX)}"
readonly JAVA="${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"

bench_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
project_dir="$(cd -- "$bench_dir/../.." && pwd)"

config() {
    cat > "$1" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $2
  delete:
    enabled: true
http:
  addr: 127.0.0.1:5000
YAML
}

# Prints the wall time in seconds of the given command, with its output discarded.
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

count_blobs() {
    find "$1/docker/registry/v2/blobs" -name data | wc -l
}

python3 "$bench_dir/generate.py" "$WORK/original"
echo "blob files before: $(count_blobs "$WORK/original")"

for untagged in "" "--delete-untagged"; do
    for run in $(seq 1 "$RUNS"); do
        for tool in docker-registry entrepot; do
            rm -rf "$WORK/copy"
            cp -a "$WORK/original" "$WORK/copy"
            config "$WORK/config.yml" "$WORK/copy"
            sync
            if [[ "$tool" == docker-registry ]]; then
                time=$(seconds docker-registry garbage-collect $untagged "$WORK/config.yml")
            else
                time=$(seconds "$JAVA" -jar "$project_dir/target/entrepot.jar" garbage-collect "$WORK/config.yml" --grace 0s $untagged)
            fi
            echo "$tool ${untagged:-plain} run $run: ${time} s, blob files left: $(count_blobs "$WORK/copy")"
        done
    done
done
rm -rf "$WORK"
