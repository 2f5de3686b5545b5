#!/usr/bin/env bash
# Launch path of a GameLift managed EC2 server process (runtime-configuration.json): rtctl serve --gamelift, its log
# in a file of its own that GameLift uploads when the process ends (--log-path). The identity, endpoint and token
# come from the environment GameLift sets for each process (GAMELIFT_SDK_*). Extra arguments go to serve.
set -euo pipefail

mkdir -p /local/game/logs
log=/local/game/logs/rtctl-$$.log
exec /local/game/rtctl serve --gamelift --log-path "$log" "$@" 2>> "$log"
