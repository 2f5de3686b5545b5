#!/usr/bin/env python3
"""Generates the wire vectors the RealtimeProtocol tests check against Google's protobuf runtime.

Writes Tests/RealtimeProtocolTests/Fixtures/packets.json and rtdata.json. See README.md beside this file.

Every `expected` value of a packet vector comes from Google's parser, not from this script: the script builds
the input bytes (with Google's serializer for canonical vectors, by hand for the others), parses them with
Google, and records what Google read. A vector is `canonical` when Google's serializer, given the parsed
message without its unknown fields, writes back exactly the input bytes; `canonicalHex` holds what it writes.
Invalid vectors carry the
ProtocolError code the Swift decoder must throw, and the script asserts that Google rejects them too.
"""

import json
import pathlib
import random
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError

F = descriptor_pb2.FieldDescriptorProto
OPTIONAL, REPEATED = F.LABEL_OPTIONAL, F.LABEL_REPEATED
INT32, SINT32, SINT64, BOOL = F.TYPE_INT32, F.TYPE_SINT32, F.TYPE_SINT64, F.TYPE_BOOL
STRING, BYTES, MESSAGE = F.TYPE_STRING, F.TYPE_BYTES, F.TYPE_MESSAGE
FLOAT, DOUBLE = F.TYPE_FLOAT, F.TYPE_DOUBLE

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "RealtimeProtocolTests" / "Fixtures"

# --------------------------------------------------------------------------------------------------------------
# The Packet schema, exactly PROTOCOL.md §3.

# (message name, [(field name, number, type, label, message type name or None, in the oneof)])
PACKET_SCHEMA = [
    ("LoginCommand", [("playerSessionId", 1, STRING), ("clientVersion", 2, INT32)]),
    (
        "LoginResult",
        [
            ("success", 1, BOOL),
            ("reconnectToken", 2, STRING),
            ("peerId", 3, INT32),
            ("fastPort", 4, INT32),
            ("caCert", 5, BYTES),
            ("connectToken", 6, STRING),
        ],
    ),
    ("PingCommand", []),
    ("PingResult", []),
    ("UDPConnectMessage", []),
    ("PlayerConnectMessage", [("peerId", 1, INT32)]),
    ("PlayerDisconnectMessage", [("peerId", 1, INT32)]),
    ("VerifyIdentityCommand", [("peerId", 1, INT32), ("connectToken", 2, STRING)]),
    ("VerifyIdentityResult", [("success", 1, BOOL), ("peerId", 2, INT32)]),
    ("JoinGroup", [("group", 1, INT32)]),
    ("LeaveGroup", [("group", 1, INT32)]),
    ("RequestGroupMembership", [("group", 1, INT32)]),
    ("GroupMembershipUpdate", [("group", 1, INT32), ("players", 2, INT32, "repeated")]),
]

PACKET_FIELDS = [
    ("opCode", 1, SINT32),
    ("sequenceNumber", 2, INT32),
    ("targetPlayer", 3, INT32),
    ("targetGroup", 4, INT32),
    ("sender", 5, INT32),
    ("reliable", 6, BOOL),
    ("clientVersion", 7, INT32),
    ("payload", 15, BYTES),
]

ONEOF = [
    ("login", 30, "LoginCommand"),
    ("loginResult", 31, "LoginResult"),
    ("ping", 32, "PingCommand"),
    ("pingResult", 33, "PingResult"),
    ("udpConnect", 34, "UDPConnectMessage"),
    ("playerConnect", 35, "PlayerConnectMessage"),
    ("playerDisconnect", 36, "PlayerDisconnectMessage"),
    ("verifyIdentity", 37, "VerifyIdentityCommand"),
    ("verifyIdentityResult", 38, "VerifyIdentityResult"),
    ("joinGroup", 40, "JoinGroup"),
    ("leaveGroup", 41, "LeaveGroup"),
    ("requestGroupMembership", 42, "RequestGroupMembership"),
    ("groupMembershipUpdate", 43, "GroupMembershipUpdate"),
]


def build_packet_class():
    file = descriptor_pb2.FileDescriptorProto(name="realtime.proto", package="realtime", syntax="proto3")
    for name, fields in PACKET_SCHEMA:
        message = file.message_type.add(name=name)
        for field_name, number, kind, *label in fields:
            field = message.field.add(name=field_name, number=number, type=kind)
            field.label = REPEATED if label == ["repeated"] else OPTIONAL
            if field.label == REPEATED:
                field.options.packed = True
    packet = file.message_type.add(name="Packet")
    for field_name, number, kind in PACKET_FIELDS:
        packet.field.add(name=field_name, number=number, type=kind, label=OPTIONAL)
    packet.oneof_decl.add(name="message")
    for field_name, number, type_name in ONEOF:
        packet.field.add(
            name=field_name,
            number=number,
            type=MESSAGE,
            label=OPTIONAL,
            type_name=".realtime." + type_name,
            oneof_index=0,
        )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("realtime.Packet"))


Packet = build_packet_class()

# --------------------------------------------------------------------------------------------------------------
# Hand-made wire bytes for the non-canonical inputs.


def varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def padded_varint(value, length):
    """`value` as a varint stretched to `length` bytes with redundant continuation bytes (valid, not minimal)."""
    out = bytearray(varint(value))
    while len(out) < length:
        out[-1] |= 0x80
        out.append(0)
    return bytes(out)


def key(field, wire_type):
    return varint(field << 3 | wire_type)


def zigzag32(value):
    return ((value << 1) ^ (value >> 31)) & 0xFFFFFFFF


def f_varint(field, value):
    return key(field, 0) + varint(value)


def f_int32(field, value):
    return f_varint(field, value & ((1 << 64) - 1))


def f_fixed64(field, value):
    return key(field, 1) + struct.pack("<Q", value)


def f_fixed32(field, value):
    return key(field, 5) + struct.pack("<I", value)


def f_bytes(field, data):
    return key(field, 2) + varint(len(data)) + data


def unknown_fields(first):
    """One unknown field of each wire type, numbered from `first`."""
    return (
        f_varint(first, 150)
        + f_fixed64(first + 1, 0x0102030405060708)
        + f_bytes(first + 2, b"\x08\x96\x01unknown")
        + f_fixed32(first + 3, 0xDEADBEEF)
    )


# --------------------------------------------------------------------------------------------------------------
# Google's view of a packet, in the JSON shape the Swift tests read.


def expected_packet(packet):
    expected = {
        "opCode": packet.opCode,
        "sequenceNumber": packet.sequenceNumber,
        "targetPlayer": packet.targetPlayer,
        "targetGroup": packet.targetGroup,
        "sender": packet.sender,
        "reliable": packet.reliable,
        "clientVersion": packet.clientVersion,
        "payload": packet.payload.hex(),
        "message": None,
    }
    case = packet.WhichOneof("message")
    if case is not None:
        body = getattr(packet, case)
        message = {"case": case}
        for descriptor in body.DESCRIPTOR.fields:
            value = getattr(body, descriptor.name)
            if descriptor.type == BYTES:
                value = value.hex()
            elif descriptor.is_repeated:
                value = list(value)
            message[descriptor.name] = value
        expected["message"] = message
    return expected


def canonical_bytes(packet):
    copy = Packet()
    copy.CopyFrom(packet)
    copy.DiscardUnknownFields()
    return copy.SerializeToString(deterministic=True)


packet_vectors = []


def add(name, data):
    parsed = Packet()
    parsed.ParseFromString(data)
    canonical = canonical_bytes(parsed)
    packet_vectors.append(
        {
            "name": name,
            "hex": data.hex(),
            "expected": expected_packet(parsed),
            "canonical": canonical == data,
            "canonicalHex": canonical.hex(),
        }
    )


def add_canonical(name, **fields):
    message = build(**fields)
    data = message.SerializeToString(deterministic=True)
    add(name, data)
    assert packet_vectors[-1]["canonical"], name


def add_invalid(name, data, code):
    try:
        Packet().ParseFromString(data)
    except DecodeError:
        packet_vectors.append({"name": name, "hex": data.hex(), "error": code, "canonical": False})
        return
    raise AssertionError(f"Google accepted the invalid vector {name}")


def build(message=None, **fields):
    packet = Packet()
    for name, value in fields.items():
        setattr(packet, name, value)
    if message is not None:
        case, body = message
        target = getattr(packet, case)
        target.SetInParent()
        for name, value in body.items():
            if isinstance(value, list):
                getattr(target, name).extend(value)
            else:
                setattr(target, name, value)
    return packet


INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# Canonical: every field, every oneof message, extremes.
add_canonical("empty packet (login op code, everything default)")
add_canonical(
    "every scalar field",
    opCode=42,
    sequenceNumber=7,
    targetPlayer=3,
    targetGroup=5,
    sender=2,
    reliable=True,
    clientVersion=2,
    payload=b"hello",
)
for value in [1, -1, 2, -2, 63, -64, 64, -65, 8191, -8192, 8192, -1000, -1001, -99999, INT32_MAX, INT32_MIN]:
    add_canonical(f"opCode {value} (zigzag)", opCode=value)
for field in ["sequenceNumber", "targetPlayer", "targetGroup", "sender", "clientVersion"]:
    for value in [1, -1, 127, 128, INT32_MAX, INT32_MIN]:
        add_canonical(f"{field} {value}", opCode=1, **{field: value})
add_canonical("reliable only", reliable=True)
add_canonical("one-byte payload", opCode=1, payload=b"\x00")
add_canonical("payload of 127 bytes", opCode=1, payload=bytes(range(127)))
add_canonical("payload of 128 bytes (two-byte length)", opCode=1, payload=bytes(range(128)))
generator = random.Random(20_240_601)
add_canonical("payload of 4096 bytes", opCode=9, reliable=True, payload=generator.randbytes(4096))
add_canonical("payload of 20000 bytes (three-byte length)", opCode=9, payload=generator.randbytes(20000))
add_canonical(
    "SDK login",
    opCode=0,
    targetPlayer=-1,
    reliable=True,
    payload=b"token-bytes",
    message=("login", {"playerSessionId": "psess-1234-\u00e9\u4e16", "clientVersion": 2}),
)
add_canonical("empty login", message=("login", {}))
add_canonical(
    "login result, all fields",
    opCode=-1,
    targetPlayer=4,
    reliable=True,
    message=(
        "loginResult",
        {
            "success": True,
            "reconnectToken": "reconnect",
            "peerId": 4,
            "fastPort": 1900,
            "caCert": b"-----BEGIN CERTIFICATE-----\n\x00\xff",
            "connectToken": "connect",
        },
    ),
)
add_canonical("login result refused (empty)", opCode=-1, reliable=True, message=("loginResult", {}))
add_canonical("login result negative peer", opCode=-1, message=("loginResult", {"peerId": -1, "fastPort": -2}))
add_canonical("ping", opCode=-2, message=("ping", {}))
add_canonical("ping result", opCode=-3, message=("pingResult", {}))
add_canonical(
    "udp connect", opCode=-5, sequenceNumber=3, sender=1, targetPlayer=-1, message=("udpConnect", {})
)
add_canonical("player connect", opCode=-101, sender=-1, message=("playerConnect", {"peerId": 7}))
add_canonical("player connect peer 0", opCode=-101, message=("playerConnect", {}))
add_canonical("player disconnect", opCode=-103, sender=-1, message=("playerDisconnect", {"peerId": -5}))
add_canonical(
    "verify identity", opCode=-14, message=("verifyIdentity", {"peerId": 2, "connectToken": "abc"})
)
add_canonical("verify identity empty", opCode=-14, message=("verifyIdentity", {}))
add_canonical(
    "verify identity result", opCode=-15, message=("verifyIdentityResult", {"success": True, "peerId": 2})
)
add_canonical("verify identity result empty", opCode=-15, message=("verifyIdentityResult", {}))
add_canonical("join group", opCode=-10, targetPlayer=-1, message=("joinGroup", {"group": 12}))
add_canonical("join group -1", opCode=-10, message=("joinGroup", {"group": -1}))
add_canonical("join group empty", opCode=-10, message=("joinGroup", {}))
add_canonical("leave group", opCode=-11, message=("leaveGroup", {"group": INT32_MAX}))
add_canonical("request group membership", opCode=-12, message=("requestGroupMembership", {"group": INT32_MIN}))
add_canonical(
    "group membership update",
    opCode=-13,
    sender=-1,
    targetPlayer=2,
    message=("groupMembershipUpdate", {"group": 3, "players": [1, 2, 300, -1, INT32_MIN, INT32_MAX, 0]}),
)
add_canonical("group membership update, no players", opCode=-13, message=("groupMembershipUpdate", {"group": 3}))
add_canonical("group membership update, empty", opCode=-13, message=("groupMembershipUpdate", {}))
add_canonical(
    "group membership update, 200 players",
    opCode=-13,
    message=("groupMembershipUpdate", {"group": -1, "players": list(range(1, 201))}),
)
add_canonical(
    "everything at once",
    opCode=INT32_MIN,
    sequenceNumber=INT32_MAX,
    targetPlayer=-1,
    targetGroup=-1,
    sender=-1,
    reliable=True,
    clientVersion=-7,
    payload=b"\xff" * 300,
    message=("groupMembershipUpdate", {"group": -1, "players": [-1, -2]}),
)

# Non-canonical but valid: Google parses them, and so must we.
add("fields in reverse order", f_bytes(15, b"xy") + f_int32(5, 2) + f_int32(3, 4) + f_varint(1, zigzag32(5)))
add(
    "oneof before scalars",
    f_bytes(40, f_int32(1, 9)) + f_varint(6, 1) + f_varint(1, zigzag32(-10)) + f_int32(3, -1),
)
add("top-level unknown fields of every wire type", f_varint(1, zigzag32(3)) + unknown_fields(8) + f_int32(5, 1))
add("unknown fields before known ones", unknown_fields(20) + f_varint(1, zigzag32(3)))
add("unknown field with the largest field number", f_varint(1, 2) + f_varint(0x1FFFFFFF, 1))
add("unknown field 39 (unused oneof number) with a garbage body", f_varint(1, 2) + f_bytes(39, b"\xff\xff\xff"))
add("unknown field 100 with a garbage body", f_bytes(100, b"\x07\x07") + f_varint(1, 2))
add(
    "unknown fields inside login",
    f_bytes(30, unknown_fields(3) + f_bytes(1, b"player") + unknown_fields(10) + f_int32(2, 2)),
)
add(
    "unknown fields inside login result",
    f_bytes(31, f_varint(1, 1) + unknown_fields(7) + f_int32(3, 9)),
)
add("unknown fields inside ping", f_bytes(32, unknown_fields(1)))
add("unknown fields inside udp connect", f_bytes(34, unknown_fields(1)))
add("unknown fields inside join group", f_bytes(40, unknown_fields(2) + f_int32(1, 4)))
add("unknown fields inside group membership update", f_bytes(43, f_int32(1, 1) + unknown_fields(3)))
add(
    "known field numbers with the wrong wire type are unknown fields",
    f_fixed32(1, 5) + f_fixed64(3, 5) + f_bytes(5, b"\x01") + f_varint(15, 1) + f_varint(30, 1) + f_int32(4, 8),
)
add(
    "players unpacked",
    f_varint(1, zigzag32(-13)) + f_bytes(43, f_int32(1, 2) + f_int32(2, 5) + f_int32(2, -6) + f_int32(2, 7)),
)
add(
    "players packed and unpacked mixed",
    f_bytes(
        43,
        f_int32(2, 1)
        + f_bytes(2, varint(2) + varint(3))
        + f_int32(2, 4)
        + f_bytes(2, varint(5) + varint(-1 & (2**64 - 1))),
    ),
)
add("players empty packed field", f_bytes(43, f_int32(1, 1) + f_bytes(2, b"")))
add("players with a fixed32 (unknown)", f_bytes(43, f_fixed32(2, 1) + f_int32(2, 2)))
add("repeated opCode, last wins", f_varint(1, zigzag32(1)) + f_varint(1, zigzag32(-2)) + f_varint(1, zigzag32(3)))
add("repeated sender, last wins", f_int32(5, -1) + f_int32(5, 4))
add("repeated reliable, last wins", f_varint(6, 1) + f_varint(6, 0))
add("repeated payload, last wins", f_bytes(15, b"first") + f_bytes(15, b"second"))
add("payload present but empty", f_varint(1, 2) + f_bytes(15, b""))
add("zero values written explicitly", f_varint(1, 0) + f_varint(2, 0) + f_varint(6, 0) + f_bytes(15, b""))
add("repeated group in join group, last wins", f_bytes(40, f_int32(1, 1) + f_int32(1, 2)))
add(
    "login twice merges",
    f_bytes(30, f_bytes(1, b"first") + f_int32(2, 2)) + f_bytes(30, f_bytes(1, b"second")),
)
add(
    "group membership update twice merges players",
    f_bytes(43, f_int32(1, 1) + f_bytes(2, varint(1) + varint(2))) + f_bytes(43, f_bytes(2, varint(3))),
)
add(
    "login result twice merges",
    f_bytes(31, f_varint(1, 1) + f_int32(3, 5)) + f_bytes(31, f_int32(4, 1900) + f_bytes(5, b"\x01")),
)
add("oneof switches case, last wins", f_bytes(30, f_bytes(1, b"gone")) + f_bytes(32, b""))
add("oneof switches back", f_bytes(40, f_int32(1, 3)) + f_bytes(41, f_int32(1, 4)) + f_bytes(40, f_int32(1, 5)))
add("non-minimal varints", key(1, 0) + padded_varint(zigzag32(2), 3) + key(3, 0) + padded_varint(4, 10))
add("non-minimal key", padded_varint(1 << 3, 2) + varint(zigzag32(7)))
add("non-minimal length prefix", key(15, 2) + padded_varint(2, 4) + b"ab")
add("int32 as 5-byte varint (unsigned 0xFFFFFFFF is -1)", f_varint(3, 0xFFFFFFFF))
add("int32 truncates a 64-bit varint", f_varint(3, 0x1_0000_0005))
add("ten-byte varint with a high tenth byte", key(3, 0) + b"\xff" * 9 + b"\x7f")
add("sint32 from a 64-bit varint keeps the low 32 bits", f_varint(1, 0x1_0000_0003))
add("bool from varint 2 is true", f_varint(6, 2))
add("bool from a ten-byte varint", f_varint(6, 1 << 63))
add("sub-message field with the wrong wire type leaves the oneof empty", f_varint(32, 0) + f_varint(1, 2))

# Invalid: Google rejects them, and so must we, with these codes.
add_invalid("eleven-byte varint", key(1, 0) + b"\xff" * 10 + b"\x01", "varintTooLong")
add_invalid("eleven-byte varint, all zero payload bits", key(3, 0) + b"\x80" * 10 + b"\x00", "varintTooLong")
add_invalid("eleven-byte key", b"\x88" + b"\x80" * 9 + b"\x80\x00", "varintTooLong")
add_invalid("truncated varint value", key(3, 0) + b"\x80", "truncated")
add_invalid("truncated key", b"\xf2", "truncated")
add_invalid("truncated fixed32", key(9, 5) + b"\x01\x02", "truncated")
add_invalid("truncated fixed64", key(9, 1) + b"\x01\x02\x03\x04\x05\x06\x07", "truncated")
add_invalid("length-delimited runs past the end", key(15, 2) + varint(5) + b"abc", "truncated")
add_invalid("huge length prefix", key(15, 2) + varint(2**62) + b"abc", "truncated")
add_invalid("truncated sub-message length", key(30, 2), "truncated")
add_invalid("wire type 6", key(1, 6) + b"\x00", "invalidWireType")
add_invalid("wire type 7", key(1, 7) + b"\x00", "invalidWireType")
add_invalid("end group without start", key(1, 4), "invalidWireType")
add_invalid("field number 0", key(0, 0) + b"\x01", "invalidFieldNumber")
add_invalid("invalid UTF-8 in login.playerSessionId", f_bytes(30, f_bytes(1, b"ab\xff")), "invalidUTF8")
add_invalid("UTF-8 surrogate in loginResult.connectToken", f_bytes(31, f_bytes(6, b"\xed\xa0\x80")), "invalidUTF8")
add_invalid("overlong UTF-8 in verifyIdentity.connectToken", f_bytes(37, f_bytes(2, b"\xc0\xaf")), "invalidUTF8")
add_invalid("truncated varint in packed players", f_bytes(43, f_bytes(2, b"\x01\x80")), "truncated")
add_invalid("truncated field inside a sub-message", f_bytes(35, key(1, 0)), "truncated")
add_invalid("field number 0 inside a sub-message", f_bytes(40, b"\x00\x01"), "invalidFieldNumber")

# --------------------------------------------------------------------------------------------------------------
# RTData (SCRIPTS.md, "RTData on the GameLift wire"). A protobuf message has one type per field number, but an
# RTData slot may hold any kind of value, so each vector gets its own proto2 schema (explicit presence, so a zero
# number is still written) whose field types match the slots the vector uses. The value message is
# `{ string string_val = 1; repeated float vec_val = 2 [packed]; RTData data_val = 14; }`.


class Schema:
    def __init__(self):
        self.file = descriptor_pb2.FileDescriptorProto(name="rtdata.proto", package="rtdata", syntax="proto2")
        self.count = 0

    def data_type(self, slots):
        """Declares a message type for an RTData with these slots; returns its full name."""
        self.count += 1
        name = f"RTData{self.count}"
        message = self.file.message_type.add(name=name)
        for slot, (kind, value) in sorted(slots.items()):
            field = message.field.add(name=f"slot{slot}", number=slot, label=OPTIONAL)
            if kind == "number":
                field.type = SINT64
            elif kind == "float":
                field.type = FLOAT
            elif kind == "double":
                field.type = DOUBLE
            else:
                field.type = MESSAGE
                field.type_name = "." + self.value_type(kind, value)
        return "rtdata." + name

    def value_type(self, kind, value):
        self.count += 1
        name = f"RTValue{self.count}"
        message = self.file.message_type.add(name=name)
        message.field.add(name="string_val", number=1, type=STRING, label=OPTIONAL)
        vector = message.field.add(name="vec_val", number=2, type=FLOAT, label=REPEATED)
        vector.options.packed = True
        if kind == "data":
            message.field.add(
                name="data_val", number=14, type=MESSAGE, label=OPTIONAL, type_name="." + self.data_type(value)
            )
        return "rtdata." + name


def rtdata_class(slots):
    schema = Schema()
    root = schema.data_type(slots)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(schema.file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(root))


def fill(message, slots):
    for slot, (kind, value) in slots.items():
        name = f"slot{slot}"
        if kind in ("number", "float", "double"):
            setattr(message, name, value)
        elif kind == "string":
            getattr(message, name).string_val = value
        elif kind == "vector":
            getattr(message, name).vec_val.extend(value)
        else:
            fill(getattr(message, name).data_val, value)
            getattr(message, name).data_val.SetInParent()


def read_back(message, slots):
    """What Google parsed, as JSON: floats and doubles as their IEEE bit patterns so that -0, NaN and infinities
    survive exactly."""
    out = {}
    for slot, (kind, value) in slots.items():
        name = f"slot{slot}"
        assert message.HasField(name), (slot, kind)
        field = getattr(message, name)
        if kind == "number":
            out[str(slot)] = {"number": field}
        elif kind == "float":
            out[str(slot)] = {"float": struct.unpack("<I", struct.pack("<f", field))[0]}
        elif kind == "double":
            out[str(slot)] = {"double": struct.unpack("<Q", struct.pack("<d", field))[0]}
        elif kind == "string":
            out[str(slot)] = {"string": field.string_val}
        elif kind == "vector":
            out[str(slot)] = {"vector": [struct.unpack("<I", struct.pack("<f", x))[0] for x in field.vec_val]}
        else:
            out[str(slot)] = {"data": read_back(field.data_val, value)}
    return out


rtdata_vectors = []


def add_rtdata(name, slots):
    cls = rtdata_class(slots)
    message = cls()
    fill(message, slots)
    data = message.SerializeToString(deterministic=True)
    parsed = cls()
    parsed.ParseFromString(data)
    rtdata_vectors.append({"name": name, "hex": data.hex(), "expected": read_back(parsed, slots), "canonical": True})
    return data, slots


def add_rtdata_bytes(name, data, like):
    """A hand-made input that decodes to the canonical vector `like` (by name)."""
    reference = next(vector for vector in rtdata_vectors if vector["name"] == like)
    rtdata_vectors.append({"name": name, "hex": data.hex(), "expected": reference["expected"], "canonical": False})


def add_rtdata_expected(name, data, expected):
    rtdata_vectors.append({"name": name, "hex": data.hex(), "expected": expected, "canonical": False})


def add_rtdata_invalid(name, data):
    rtdata_vectors.append({"name": name, "hex": data.hex(), "error": "invalidRTData", "canonical": False})


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
add_rtdata("empty", {})
add_rtdata("number slot 1", {1: ("number", 1)})
add_rtdata("number zero is still written", {1: ("number", 0)})
add_rtdata("number -1", {2: ("number", -1)})
add_rtdata("number extremes", {1: ("number", INT64_MAX), 2: ("number", INT64_MIN), 3: ("number", 2**53 + 1)})
add_rtdata("slot 127", {127: ("number", 5)})
add_rtdata("slot 16 (two-byte key)", {16: ("number", 5), 15: ("number", 6)})
add_rtdata("float", {3: ("float", 1.5)})
add_rtdata("float specials", {1: ("float", -0.0), 2: ("float", float("inf")), 3: ("float", float("-inf"))})
add_rtdata("float zero", {1: ("float", 0.0)})
add_rtdata("float NaN", {1: ("float", float("nan"))})
add_rtdata("double", {4: ("double", 3.141592653589793)})
add_rtdata("double specials", {1: ("double", -0.0), 2: ("double", 5e-324), 3: ("double", 1.7976931348623157e308)})
add_rtdata("string", {5: ("string", "hello")})
add_rtdata("empty string", {5: ("string", "")})
add_rtdata("unicode string", {5: ("string", "\u00e9t\u00e9 \u4e16\u754c \U0001f600")})
add_rtdata("long string", {5: ("string", "x" * 300)})
add_rtdata("vector of 1", {6: ("vector", [1.0])})
add_rtdata("vector of 2", {6: ("vector", [1.0, -2.5])})
add_rtdata("vector of 3", {6: ("vector", [1.0, 2.0, 3.0])})
add_rtdata("vector of 4", {6: ("vector", [0.25, -0.0, 1e10, -1e-10])})
add_rtdata("nested empty", {7: ("data", {})})
add_rtdata("nested", {7: ("data", {1: ("number", 42), 2: ("string", "inner")})})
add_rtdata(
    "nested three deep",
    {1: ("data", {1: ("data", {1: ("data", {3: ("float", 2.0)}), 2: ("number", -3)})}), 9: ("number", 9)},
)
add_rtdata(
    "every kind",
    {
        1: ("number", 123456789),
        2: ("float", 0.5),
        3: ("double", -2.25),
        4: ("string", "text"),
        5: ("vector", [1.0, 2.0, 3.0, 4.0]),
        6: ("data", {1: ("vector", [9.0]), 127: ("double", 1.0)}),
        100: ("number", -100),
    },
)
add_rtdata("all 127 slots", {slot: ("number", slot * (-1) ** slot) for slot in range(1, 128)})

key_number = lambda slot, n: key(slot, 0) + varint(((n << 1) ^ (n >> 63)) & (2**64 - 1))  # noqa: E731
float_bytes = lambda values: b"".join(struct.pack("<f", v) for v in values)  # noqa: E731
add_rtdata_bytes("slots out of order", key_number(16, 5) + key_number(15, 6), "slot 16 (two-byte key)")
add_rtdata_bytes("repeated number slot, last wins", key_number(1, 7) + key_number(1, 1), "number slot 1")
add_rtdata_bytes("number as non-minimal varint", key(1, 0) + padded_varint(2, 5), "number slot 1")
add_rtdata_bytes("vector unpacked", f_bytes(6, f_fixed32(2, 0x3F800000) + f_fixed32(2, 0xC0200000)), "vector of 2")
add_rtdata_bytes(
    "vector split over two packed fields",
    f_bytes(6, f_bytes(2, float_bytes([1.0])) + f_bytes(2, float_bytes([2.0, 3.0]))),
    "vector of 3",
)
add_rtdata_bytes(
    "unknown fields inside a value message", f_bytes(5, unknown_fields(3) + f_bytes(1, b"hello")), "string"
)
add_rtdata_expected(
    "a slot changes kind, last wins",
    key_number(1, 5) + f_bytes(1, f_bytes(1, b"s")) + f_fixed32(1, 0x3FC00000),
    {"1": {"float": 0x3FC00000}},
)
add_rtdata_expected(
    "value message with two values, the last wins",
    f_bytes(2, f_bytes(1, b"s") + f_bytes(2, float_bytes([1.0]))),
    {"2": {"vector": [0x3F800000]}},
)
add_rtdata_expected("empty value message leaves the slot empty", f_bytes(2, b"") + key_number(3, 1), {"3": {"number": 1}})

add_rtdata_invalid("slot 0", key(0, 0) + b"\x02")
add_rtdata_invalid("slot 128", key_number(128, 1))
add_rtdata_invalid("slot 2^29-1", key_number(0x1FFFFFFF, 1))
add_rtdata_invalid("wire type 3", key(1, 3) + key(1, 4))
add_rtdata_invalid("wire type 4", key(1, 4))
add_rtdata_invalid("wire type 6", key(1, 6))
add_rtdata_invalid("wire type 7", key(1, 7))
add_rtdata_invalid("truncated number", key(1, 0) + b"\x80")
add_rtdata_invalid("eleven-byte number", key(1, 0) + b"\xff" * 10 + b"\x01")
add_rtdata_invalid("truncated float", key(1, 5) + b"\x00\x00")
add_rtdata_invalid("truncated double", key(1, 1) + b"\x00" * 7)
add_rtdata_invalid("truncated value message", key(1, 2) + varint(4) + b"\x0a")
add_rtdata_invalid("invalid UTF-8 string", f_bytes(1, f_bytes(1, b"\xfe")))
add_rtdata_invalid("vector of 5", f_bytes(1, f_bytes(2, float_bytes([1, 2, 3, 4, 5]))))
add_rtdata_invalid("vector of 0", f_bytes(1, f_bytes(2, b"")))
add_rtdata_invalid("vector length not a multiple of 4", f_bytes(1, f_bytes(2, b"\x00\x00\x80\x3f\x00")))
add_rtdata_invalid("malformed nested data", f_bytes(1, f_bytes(14, key(1, 0))))
add_rtdata_invalid("slot 128 in nested data", f_bytes(1, f_bytes(14, key_number(128, 1))))
deep = b""
for _ in range(40):
    deep = f_bytes(1, f_bytes(14, deep))
add_rtdata_invalid("nested 41 deep (over the depth limit)", deep)


def main():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, vectors in [("packets.json", packet_vectors), ("rtdata.json", rtdata_vectors)]:
        names = [vector["name"] for vector in vectors]
        assert len(names) == len(set(names)), "vector names must be unique"
        path = FIXTURES / name
        path.write_text(json.dumps(vectors, indent=1, ensure_ascii=False) + "\n")
        print(f"{path.relative_to(ROOT)}: {len(vectors)} vectors", file=sys.stderr)


if __name__ == "__main__":
    main()
