#!/usr/bin/env bash
# Loopback load run of /v1/suggest: starts the release service on the shipped data, then wrk
# (Debian package `wrk`) with 2 threads and 16 connections for 20 s. Bounded in time, loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "install wrk first: apt-get install -y wrk" >&2; exit 1; }
cargo build --release --quiet
addr=127.0.0.1:18080
./target/release/skillbridge serve --addr "$addr" --db "$(mktemp -d)/load.db" 2>/tmp/skillbridge-load.log &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://$addr/health" >/dev/null 2>&1 && break
  sleep 0.5
done
# One connection, one request at a time: the latency a single user sees.
wrk -t1 -c1 -d10s --latency -s scripts/suggest.lua "http://$addr"
# Many connections: throughput on 2 cores.
wrk -t2 -c16 -d20s --latency -s scripts/suggest.lua "http://$addr"
