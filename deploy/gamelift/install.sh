#!/usr/bin/env bash
# Install script of a GameLift managed EC2 build (Amazon Linux 2023): GameLift runs it as root once per instance,
# from the build's root, which it then serves from /local/game. It installs Node.js (the script host needs 18 or
# newer) and makes the binaries executable.
#
# The build folder holds: install.sh (this file), launch.sh, rtctl (built for Amazon Linux: see the README,
# "GameLift managed EC2"), and game.js with whatever it requires.
set -euo pipefail

if ! command -v node > /dev/null; then
    dnf install -y nodejs
fi
node --version

chmod 0755 /local/game/rtctl /local/game/launch.sh
mkdir -p /local/game/logs
chmod 0777 /local/game/logs
