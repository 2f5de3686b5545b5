#!/usr/bin/env bash
# GameLift Anywhere: this machine becomes a compute of an Anywhere fleet, and rtctl serves its game sessions.
#
#   AWS_REGION=us-west-2 IP_ADDRESS=203.0.113.10 SCRIPT=game.js deploy/gamelift/anywhere.sh
#
# Steps (each an AWS CLI call): create-location (a custom location, once), create-fleet with compute type ANYWHERE
# (once), register-compute (this machine, with the address players reach it at), get-compute-auth-token, then
# `rtctl serve --gamelift` with the endpoint, fleet, compute and token. GameLift later sends RefreshConnection with
# a new token and endpoint; rtctl follows it. Set FLEET_ID to reuse a fleet.
set -euo pipefail

: "${AWS_REGION:?set AWS_REGION (the home Region of the fleet)}"
: "${IP_ADDRESS:?set IP_ADDRESS (the address players connect to)}"
: "${SCRIPT:?set SCRIPT (the GameLift Realtime script to run)}"
LOCATION=${LOCATION:-custom-rtctl}
FLEET_NAME=${FLEET_NAME:-rtctl-anywhere}
COMPUTE_NAME=${COMPUTE_NAME:-$(hostname -s)}
PORT_RANGE=${PORT_RANGE:-1900-1999}
RTCTL=${RTCTL:-rtctl}
export AWS_REGION

if ! aws gamelift list-locations --filters CUSTOM \
    --query "Locations[?LocationName=='$LOCATION'].LocationName" --output text | grep -q .; then
    aws gamelift create-location --location-name "$LOCATION" > /dev/null
fi

if [ -z "${FLEET_ID:-}" ]; then
    FLEET_ID=$(aws gamelift create-fleet \
        --name "$FLEET_NAME" \
        --compute-type ANYWHERE \
        --locations "Location=$LOCATION" \
        --query FleetAttributes.FleetId --output text)
    echo "created fleet $FLEET_ID" >&2
fi

ENDPOINT=$(aws gamelift register-compute \
    --fleet-id "$FLEET_ID" \
    --compute-name "$COMPUTE_NAME" \
    --ip-address "$IP_ADDRESS" \
    --location "$LOCATION" \
    --query Compute.GameLiftServiceSdkEndpoint --output text)

TOKEN=$(aws gamelift get-compute-auth-token \
    --fleet-id "$FLEET_ID" \
    --compute-name "$COMPUTE_NAME" \
    --query AuthToken --output text)

exec "$RTCTL" serve --gamelift \
    --gamelift-url "$ENDPOINT" \
    --gamelift-fleet-id "$FLEET_ID" \
    --gamelift-host-id "$COMPUTE_NAME" \
    --gamelift-auth-token "$TOKEN" \
    --port-range "$PORT_RANGE" \
    --script "$SCRIPT"
