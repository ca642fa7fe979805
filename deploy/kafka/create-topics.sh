#!/usr/bin/env bash
# Creates the topics listed in topics.txt (generated from contracts/topics.py) and applies their configs, also to
# topics that already exist (a service may have created one first). Safe to run again. Used by compose's
# kafka-init and by the Kubernetes topics Job. Usage: create-topics.sh BOOTSTRAP_SERVER TOPICS_FILE
set -euo pipefail

server="${1:?bootstrap server, e.g. kafka:9092}"
topics_file="${2:?the topics file}"
bin="${KAFKA_BIN:-/opt/kafka/bin}"
replication="${KAFKA_REPLICATION_FACTOR:-1}"

while read -r name partitions configs || [[ -n "${name:-}" ]]; do
  case "${name:-}" in ""|"#"*) continue ;; esac
  args=(--bootstrap-server "$server" --create --if-not-exists --topic "$name"
        --partitions "$partitions" --replication-factor "$replication")
  if [[ "${configs:--}" != "-" ]]; then
    IFS=, read -ra pairs <<< "$configs"
    for pair in "${pairs[@]}"; do args+=(--config "$pair"); done
  fi
  "$bin/kafka-topics.sh" "${args[@]}" < /dev/null
  if [[ "${configs:--}" != "-" ]]; then
    "$bin/kafka-configs.sh" --bootstrap-server "$server" --alter --entity-type topics \
      --entity-name "$name" --add-config "$configs" < /dev/null
  fi
  echo "create-topics: $name ready ($partitions partitions, configs: ${configs:--})"
done < "$topics_file"
