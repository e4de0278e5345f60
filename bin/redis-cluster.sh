#!/usr/bin/env bash
# A local Redis Cluster of three masters (no replicas) for the online store's cluster tests:
# redis-server in cluster mode on 127.0.0.1 only, ports 7101-7103 (REDIS_CLUSTER_PORTS to change),
# no persistence, its files in DIR. `start` returns once every node reports cluster_state:ok;
# a cluster already answering ok on those ports is reused. `stop` shuts the nodes down and
# removes DIR; `status` exits 0 when every node reports cluster_state:ok.
#   bash bin/redis-cluster.sh start DIR     then  REDIS_CLUSTER_NODES=127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103
#   bash bin/redis-cluster.sh stop DIR
#   bash bin/redis-cluster.sh status
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || { [ "$cmd" != status ] && [ -z "$dir" ]; }; then
  echo "usage: $0 start|stop DIR, or $0 status" >&2
  exit 2
fi
read -r -a ports <<<"${REDIS_CLUSTER_PORTS:-7101 7102 7103}"
host=127.0.0.1

state() { redis-cli -h "$host" -p "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_state://p'; }
all_ok() {
  for p in "${ports[@]}"; do [ "$(state "$p")" = "ok" ] || return 1; done
}

case "$cmd" in
status)
  all_ok
  ;;
start)
  if all_ok; then
    echo "redis cluster already up on ${ports[*]}"
    exit 0
  fi
  mkdir -p "$dir"
  for p in "${ports[@]}"; do
    if redis-cli -h "$host" -p "$p" ping >/dev/null 2>&1; then
      echo "port $p answers but is not part of a healthy cluster; stop it first" >&2
      exit 1
    fi
    mkdir -p "$dir/$p"
    redis-server --port "$p" --bind "$host" --protected-mode yes --daemonize yes \
      --cluster-enabled yes --cluster-config-file "nodes-$p.conf" --cluster-node-timeout 2000 \
      --save "" --appendonly no --dir "$dir/$p" \
      --pidfile "$dir/$p/redis.pid" --logfile "$dir/$p/redis.log"
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 1 50); do redis-cli -h "$host" -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -h "$host" -p "$p" ping >/dev/null || { echo "redis-server on $p did not start (see $dir/$p/redis.log)" >&2; exit 1; }
  done
  nodes=()
  for p in "${ports[@]}"; do nodes+=("$host:$p"); done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$dir/create.log"
  for _ in $(seq 1 100); do all_ok && break; sleep 0.1; done
  all_ok || { echo "redis cluster on ${ports[*]} never reported cluster_state:ok" >&2; exit 1; }
  echo "redis cluster up on ${ports[*]}"
  ;;
stop)
  for p in "${ports[@]}"; do
    redis-cli -h "$host" -p "$p" shutdown nosave >/dev/null 2>&1 || true
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 1 50); do redis-cli -h "$host" -p "$p" ping >/dev/null 2>&1 || break; sleep 0.1; done
  done
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR, or $0 status" >&2
  exit 2
  ;;
esac
