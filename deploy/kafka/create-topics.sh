#!/bin/sh
# Create every topic listed in topics.txt (`name partitions retention.ms` per line).
#
# Run once by the `kafka-init` service of docker-compose.yml, inside the broker image, before
# any service starts (the broker has auto.create.topics.enable=false). Safe to run again:
# existing topics are left alone (`--if-not-exists`). A topic that exists with a different
# partition count is reported, never altered: adding partitions moves keys to other
# partitions and would break the per-debtor ordering the services rely on.
set -eu

BOOTSTRAP="${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}"
TOPICS_FILE="${TOPICS_FILE:-$(dirname "$0")/topics.txt}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-1}"
KAFKA_BIN="${KAFKA_BIN:-/opt/kafka/bin}"
WAIT_SECONDS="${WAIT_SECONDS:-90}"

kafka_topics() {
    "$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" "$@" </dev/null
}

fail() {
    echo "create-topics: $*" >&2
    exit 1
}

[ -r "$TOPICS_FILE" ] || fail "cannot read $TOPICS_FILE"

# Bounded wait: depends_on already waits for a healthy broker, this covers manual runs.
deadline=$(($(date +%s) + WAIT_SECONDS))
until kafka_topics --list >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "broker $BOOTSTRAP not reachable after ${WAIT_SECONDS}s"
    sleep 2
done

# "name partitions" of every existing topic, from one describe call (one JVM start).
existing=$(kafka_topics --describe | awk '
    /PartitionCount:/ {
        for (i = 1; i < NF; i++) {
            if ($i == "Topic:") name = $(i + 1)
            if ($i == "PartitionCount:") count = $(i + 1)
        }
        print name, count
    }')

created=0
kept=0
while read -r name partitions retention extra || [ -n "${name:-}" ]; do
    case "$name" in '' | '#'*) continue ;; esac
    if [ -z "$retention" ] || [ -n "$extra" ]; then
        fail "bad line for $name: want 'name partitions retention.ms'"
    fi
    case "$partitions" in '' | *[!0-9]*) fail "$name: partitions '$partitions' is not a number" ;; esac

    current=$(printf '%s\n' "$existing" | awk -v topic="$name" '$1 == topic { print $2 }')
    if [ -n "$current" ]; then
        if [ "$current" != "$partitions" ]; then
            echo "create-topics: WARNING $name has $current partitions, topics.txt says $partitions (left as is)" >&2
        fi
        kept=$((kept + 1))
        continue
    fi

    kafka_topics --create --if-not-exists \
        --topic "$name" \
        --partitions "$partitions" \
        --replication-factor "$REPLICATION_FACTOR" \
        --config "retention.ms=$retention"
    created=$((created + 1))
done <"$TOPICS_FILE"

echo "create-topics: $created created, $kept already present"
