#!/bin/bash
# Builds the libFuzzer binary .build-fuzz/fuzz-realtime-protocol: Sources/RealtimeProtocol and the harness in this
# folder compiled with -sanitize=fuzzer,address, linked against the NIOCore objects of the normal debug build
# (which this script builds first; nothing in the package build changes).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --target NIOCore >/dev/null
BIN=$(swift build --show-bin-path)
OUT=.build-fuzz
mkdir -p "$OUT"

# NIOCore and what it depends on, as object files (some names have spaces), module maps and C headers.
objects=()
for target in NIOCore NIOConcurrencyHelpers _NIOBase64 _NIODataStructures CNIOLinux CNIODarwin CNIOWindows \
    CNIOWASI CNIOOpenBSD CNIOFreeBSD CNIOAtomics Atomics _AtomicsShims DequeModule InternalCollectionsUtilities \
    ContainersPreview BasicContainers; do
    while IFS= read -r object; do
        objects+=("$object")
    done < <(find "$BIN/$target.build" -name '*.o')
done
flags=()
while IFS= read -r map; do
    flags+=(-Xcc "-fmodule-map-file=$map")
done < <(find "$BIN" -maxdepth 3 -name module.modulemap \( -path '*/CNIO*' -o -path '*/_AtomicsShims*' \))
while IFS= read -r dir; do
    flags+=(-Xcc "-I$dir")
done < <(find .build/checkouts/swift-nio/Sources .build/checkouts/swift-atomics/Sources -type d -name include)

swiftc -O -g -sanitize=fuzzer,address -parse-as-library -swift-version 6 \
    -module-name FuzzRealtimeProtocol -I "$BIN/Modules" "${flags[@]}" \
    Sources/RealtimeProtocol/*.swift scripts/fuzz/FuzzRealtimeProtocol.swift "${objects[@]}" \
    -o "$OUT/fuzz-realtime-protocol"
echo "$OUT/fuzz-realtime-protocol"
