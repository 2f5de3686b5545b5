#!/usr/bin/env python3
"""Writes a seed corpus for the libFuzzer harness from the committed wire vectors.

Each corpus file is one target byte (0 packet bytes, 1 stream, 2 datagram, 3 RTData; see FuzzRealtimeProtocol.swift)
followed by the input. Usage: make-corpus.py OUTPUT_DIRECTORY
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "RealtimeProtocolTests" / "Fixtures"


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def main():
    output = pathlib.Path(sys.argv[1])
    output.mkdir(parents=True, exist_ok=True)
    count = 0
    for index, vector in enumerate(json.loads((FIXTURES / "packets.json").read_text())):
        body = bytes.fromhex(vector["hex"])
        framed = varint(len(body)) + body
        for target, data in [(0, body), (1, framed + framed), (2, framed)]:
            (output / f"packet-{index}-{target}").write_bytes(bytes([target]) + data)
            count += 1
    for index, vector in enumerate(json.loads((FIXTURES / "rtdata.json").read_text())):
        (output / f"rtdata-{index}").write_bytes(b"\x03" + bytes.fromhex(vector["hex"]))
        count += 1
    print(f"{count} seed inputs in {output}", file=sys.stderr)


if __name__ == "__main__":
    main()
