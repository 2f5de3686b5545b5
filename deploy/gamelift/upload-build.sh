#!/usr/bin/env bash
# Packages and uploads a GameLift managed EC2 build: rtctl (built for Amazon Linux), the install and launch scripts,
# and the game script; then prints the build id for `aws gamelift create-fleet --build-id …
# --runtime-configuration file://deploy/gamelift/runtime-configuration.json`.
#
#   RTCTL=path/to/rtctl SCRIPT=game.js AWS_REGION=us-west-2 deploy/gamelift/upload-build.sh
set -euo pipefail

: "${RTCTL:?set RTCTL (an rtctl binary built for Amazon Linux)}"
: "${SCRIPT:?set SCRIPT (the GameLift Realtime script)}"
: "${AWS_REGION:?set AWS_REGION}"
NAME=${NAME:-rtctl}
VERSION=${VERSION:-$(date -u +%Y%m%d%H%M%S)}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
install -m 0755 "$RTCTL" "$build/rtctl"
install -m 0755 "$here/install.sh" "$here/launch.sh" "$build/"
cp -R "$(dirname "$SCRIPT")"/. "$build/"
[ "$(basename "$SCRIPT")" = game.js ] || cp "$SCRIPT" "$build/game.js"

aws gamelift upload-build \
    --name "$NAME" \
    --build-version "$VERSION" \
    --build-root "$build" \
    --operating-system AMAZON_LINUX_2023 \
    --server-sdk-version 5.2.0 \
    --region "$AWS_REGION"
