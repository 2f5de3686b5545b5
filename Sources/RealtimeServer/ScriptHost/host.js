'use strict';
/*
 * rtctl script host: runs one GameLift Realtime or GameSparks Realtime script on a real Node.js
 * (>= 18) on behalf of `rtctl serve`, which starts it as `node host.js` (fed from a copy embedded
 * in the rtctl binary: this file is self-contained and requires only Node built-ins).
 *
 * Environment
 *   RTCTL_SCRIPT            absolute path of the script (the `start` frame may also name it)
 *   RTCTL_HOOK_TIMEOUT_MS   how long a callback may run before it is reported hung (default 5000)
 *
 * The bridge: fd 3 carries server -> host frames, fd 4 host -> server frames (pipes or socket
 * pairs). stdout and stderr belong to the script (console.log etc.); the bridge never uses them.
 *
 * Frame (both directions, little endian):
 *   u32 length      byte count of everything after this field (= 9 + jsonLength + payload)
 *   u8  kind
 *   u32 id          correlates a call with its answer; 0 = none
 *   u32 jsonLength
 *   JSON            UTF-8, jsonLength bytes (0 bytes = {})
 *   payload         the remaining bytes (binary message payload), possibly empty
 *
 * Server -> host
 *   1 start   {scriptPath, args, gameSessionId, serverId, gameSession?, deferGameSession?}
 *             deferGameSession: a fleet manager starts the game session later; onStartGameSession
 *             then runs on the startGameSession call instead of at start-up.
 *             -> 101 ready {kind: "gamelift"|"gamesparks", hooks, notify, configuration, opCodes}
 *             or 102 failed {message, stack}
 *   2 call    {hook, ...} with id != 0 -> 103 result {value: bool}, same id, as soon as the hook
 *             settles (answers may come out of order; calls are pipelined).
 *             onPlayerConnect {player: {peerId, playerSessionId}} + payload
 *             onPlayerJoinGroup / onPlayerLeaveGroup {group, peerId}
 *             onSendToPlayer / onSendToGroup / onPacket {opCode, sender, targetPlayer,
 *             targetGroup, reliable} + payload
 *             onHealthCheck {}
 *             startGameSession {gameSession}  onStartGameSession(gameSession) (after a deferred
 *             start), bounded by the hook timeout; true unless it threw or hung.
 *             A hook the script does not define answers true. A hook that throws or rejects
 *             answers false (fail closed) and is logged with its stack.
 *   3 notify  {event, ...}, no answer:
 *             playerAdded {player}        state mirror, sent before playerAccepted
 *             playerAccepted {player}     onPlayerAccepted / GameSparks onPlayerConnect
 *             playerDisconnect {peerId}   onPlayerDisconnect (the player is still listed)
 *             playerRemoved {peerId}      state mirror, sent after playerDisconnect
 *             groupJoined / groupLeft {group, peerId}   state mirror
 *             message {opCode, sender, targetPlayer, targetGroup, reliable} + payload
 *                                         onMessage / GameSparks onPacket for the server
 *             terminate {}                onProcessTerminate / onSessionShutdown, then 107
 *             updateGameSession {updateGameSession}  onUpdateGameSession(updateGameSession)
 *   4 ended   {}  acknowledges 109 end; resolves the processEnding() Promise
 *
 * Host -> server
 *   101 ready, 102 failed, 103 result (see above)
 *   104 send  {opCode, sender, targetPlayer, targetGroup, reliable} + payload. Both targets are
 *             always present, 0 meaning none: a player send has targetGroup 0, a group send
 *             targetPlayer 0, a GameSparks packet to everyone targetGroup -1.
 *   105 broadcastMembership {group, targetGroup}
 *   106 hung {hook, id?, blocked?}  a callback did not settle within the hook timeout. With
 *             blocked: true the JavaScript thread itself is stuck (a synchronous loop): a
 *             watchdog thread reports it and the host will never answer again. Either way the
 *             server ends the session; it also keeps its own timeout in case the host cannot
 *             even report. A call reported hung gets no 103 answer.
 *   107 terminated {timedOut?}  after `terminate`; the host then exits 0.
 *   108 log   {level: debug|info|warn|error|fatal, message}
 *   109 end   {code}  processEnding() sends {code: 0} once; process.exit(N) sends {code: N},
 *             flushes the bridge and exits with N. The last `end` received wins.
 *   110 opCodes {opCodes}  (GameSparks) the set of op codes with an onPacket handler changed
 *             after `ready`; the server calls onPacket only for those op codes.
 *
 * BRIDGE.md beside this file describes the same in more detail.
 */

const fs = require('fs');
const net = require('net');
const path = require('path');
const util = require('util');
const vm = require('vm');
const Module = require('module');

// Node's own timers, captured before a GameSparks script replaces the globals.
const nodeSetTimeout = setTimeout;
const nodeClearTimeout = clearTimeout;
const nodeSetInterval = setInterval;
const nodeClearInterval = clearInterval;
const nodeSetImmediate = setImmediate;
const realExit = process.exit.bind(process);

const IN_FD = 3;
const OUT_FD = 4;
const MAX_FRAME = 64 * 1024 * 1024;

const K_START = 1, K_CALL = 2, K_NOTIFY = 3, K_ENDED = 4;
const K_READY = 101, K_FAILED = 102, K_RESULT = 103, K_SEND = 104, K_BROADCAST = 105;
const K_HUNG = 106, K_TERMINATED = 107, K_LOG = 108, K_END = 109, K_OPCODES = 110;

const PLAYER_ID_SERVER = -1;
const GROUP_ID_ALL_PLAYERS = -1;

function parseTimeout(text) {
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 5000;
}
const HOOK_TIMEOUT_MS = parseTimeout(process.env.RTCTL_HOOK_TIMEOUT_MS);

// ---------------------------------------------------------------------------------------------
// Output: frames are queued and written with one synchronous write per batch, so that nothing
// is lost when the script calls process.exit and ordering is the order of the calls.

// Shared with the watchdog thread: [writer lock, heartbeat, current hook index].
const CTL_LOCK = 0, CTL_HEARTBEAT = 1, CTL_HOOK = 2;
const ctl = new Int32Array(new SharedArrayBuffer(16));

// Index 0 is the label for script code we did not call directly (timers, promise continuations).
const HOOK_LABELS = [
  'script code outside a callback (timer, promise or event handler)', 'loading the script',
  'init', 'onProcessStarted', 'onStartGameSession', 'onProcessTerminate', 'onHealthCheck',
  'onPlayerConnect', 'onPlayerAccepted', 'onPlayerDisconnect', 'onPlayerJoinGroup',
  'onPlayerLeaveGroup', 'onSendToPlayer', 'onSendToGroup', 'onMessage', 'onPacket',
  'onSessionShutdown',
];
const HOOK_INDEX = new Map(HOOK_LABELS.map((label, i) => [label, i]));
function hookIndex(name) {
  return HOOK_INDEX.get(name) || 0;
}

let outQueue = [];
let flushScheduled = false;
let bridgeBroken = false;
let bridgeEnabled = false; // false when this file is required as a library (tests)

function encodeFrame(kind, id, json, payload) {
  const text = json === undefined ? '' : (typeof json === 'string' ? json : JSON.stringify(json));
  const jsonLength = Buffer.byteLength(text);
  const payloadLength = payload ? payload.length : 0;
  const frame = Buffer.allocUnsafe(13 + jsonLength + payloadLength);
  frame.writeUInt32LE(9 + jsonLength + payloadLength, 0);
  frame[4] = kind;
  frame.writeUInt32LE(id >>> 0, 5);
  frame.writeUInt32LE(jsonLength, 9);
  frame.write(text, 13, 'utf8');
  if (payloadLength) frame.set(payload, 13 + jsonLength);
  return frame;
}

function queueFrame(kind, id, json, payload) {
  if (!bridgeEnabled) return;
  outQueue.push(encodeFrame(kind, id, json, payload));
  if (!flushScheduled) {
    flushScheduled = true;
    nodeSetImmediate(flush);
  }
}

function sleepMs(ms) {
  Atomics.wait(ctl, 3, 0, ms); // slot 3 is never written: a plain sleep
}

function lockWriter() {
  while (Atomics.compareExchange(ctl, CTL_LOCK, 0, 1) !== 0) sleepMs(1);
}

function unlockWriter() {
  Atomics.store(ctl, CTL_LOCK, 0);
}

function writeAll(buffer) {
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += fs.writeSync(OUT_FD, buffer, offset, buffer.length - offset);
    } catch (err) {
      if (err.code === 'EAGAIN') { sleepMs(1); continue; }
      throw err;
    }
  }
}

function flush() {
  flushScheduled = false;
  if (outQueue.length === 0 || bridgeBroken) { outQueue = []; return; }
  const batch = outQueue.length === 1 ? outQueue[0] : Buffer.concat(outQueue);
  outQueue = [];
  lockWriter();
  try {
    writeAll(batch);
    Atomics.add(ctl, CTL_HEARTBEAT, 1); // a write that blocked for long is not a hang
  } catch (err) {
    // The server is gone (EPIPE) or fd 4 is not usable: nothing can be reported any more.
    bridgeBroken = true;
    process.stderr.write(`rtctl script host: bridge write failed: ${err.message}\n`);
  } finally {
    unlockWriter();
  }
}

function log(level, message) {
  queueFrame(K_LOG, 0, { level, message: String(message) });
}

// One line for a `failed` message: "SyntaxError: Unexpected token (/path/game.js:3)".
function errorSummary(err) {
  if (!(err instanceof Error)) return util.inspect(err);
  let summary = `${err.name}: ${err.message}`;
  const first = String(err.stack || '').split('\n')[0];
  if (err instanceof SyntaxError && /:\d+$/.test(first)) summary += ` (${first})`;
  return summary;
}

function describeError(err) {
  if (err instanceof Error) return err.stack || `${err.name}: ${err.message}`;
  return util.inspect(err);
}

// ---------------------------------------------------------------------------------------------
// Watchdog: a worker thread that notices when the JavaScript thread stops turning (a synchronous
// infinite loop in a callback) and reports `hung` itself, since the main thread never will.

const WATCHDOG_SOURCE = `
'use strict';
const { workerData } = require('worker_threads');
const fs = require('fs');
const ctl = new Int32Array(workerData.ctl);
const { timeoutMs, intervalMs, labels, outFd } = workerData;
let lastBeat = Atomics.load(ctl, ${CTL_HEARTBEAT});
let lastChange = Date.now();
let reported = false;
setInterval(() => {
  const beat = Atomics.load(ctl, ${CTL_HEARTBEAT});
  const now = Date.now();
  if (beat !== lastBeat) { lastBeat = beat; lastChange = now; reported = false; return; }
  if (reported || now - lastChange < timeoutMs) return;
  reported = true;
  const hook = labels[Atomics.load(ctl, ${CTL_HOOK})] || labels[0];
  const json = Buffer.from(JSON.stringify({ hook, blocked: true, ms: now - lastChange }));
  const frame = Buffer.alloc(13 + json.length);
  frame.writeUInt32LE(9 + json.length, 0);
  frame[4] = ${K_HUNG};
  frame.writeUInt32LE(json.length, 9);
  json.copy(frame, 13);
  while (Atomics.compareExchange(ctl, ${CTL_LOCK}, 0, 2) !== 0) Atomics.wait(ctl, 3, 0, 1);
  if (Atomics.load(ctl, ${CTL_HEARTBEAT}) !== lastBeat) {
    // The main thread was only blocked writing to a slow server, not stuck in script code.
    Atomics.store(ctl, ${CTL_LOCK}, 0);
    reported = false;
    return;
  }
  try {
    let off = 0;
    while (off < frame.length) {
      try { off += fs.writeSync(outFd, frame, off, frame.length - off); }
      catch (e) { if (e.code === 'EAGAIN') { Atomics.wait(ctl, 3, 0, 1); continue; } throw e; }
    }
  } catch (e) {
    // the bridge is gone; nothing to report to
  } finally {
    Atomics.store(ctl, ${CTL_LOCK}, 0);
  }
}, intervalMs);
`;

function startWatchdog() {
  const intervalMs = Math.max(5, Math.min(250, Math.floor(HOOK_TIMEOUT_MS / 4)));
  nodeSetInterval(() => Atomics.add(ctl, CTL_HEARTBEAT, 1), intervalMs).unref();
  try {
    const { Worker } = require('worker_threads');
    const worker = new Worker(WATCHDOG_SOURCE, {
      eval: true,
      workerData: { ctl: ctl.buffer, timeoutMs: HOOK_TIMEOUT_MS, intervalMs, labels: HOOK_LABELS, outFd: OUT_FD },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    worker.on('error', (err) => log('warn', `script host watchdog stopped: ${describeError(err)}`));
  } catch (err) {
    log('warn', `script host watchdog unavailable: ${describeError(err)}`);
  }
}

// Runs a piece of script code, labelled for the watchdog.
function withHookLabel(name, fn) {
  const previous = Atomics.exchange(ctl, CTL_HOOK, hookIndex(name));
  try {
    return fn();
  } finally {
    Atomics.store(ctl, CTL_HOOK, previous);
  }
}

// ---------------------------------------------------------------------------------------------
// Protobuf primitives (for RTData and the Packet_pb compatibility module).

class ProtoWriter {
  constructor() { this.chunks = []; this.bytes = []; }
  byte(b) { this.bytes.push(b); }
  varint(value) { // value: non-negative BigInt below 2^64, or a non-negative safe integer
    let v = typeof value === 'bigint' ? value : BigInt(value);
    while (v > 0x7fn) { this.bytes.push(Number(v & 0x7fn) | 0x80); v >>= 7n; }
    this.bytes.push(Number(v));
  }
  tag(field, wireType) { this.varint((field << 3) | wireType); }
  raw(buffer) { for (const b of buffer) this.bytes.push(b); }
  lengthDelimited(buffer) { this.varint(buffer.length); this.raw(buffer); }
  float(v) { const b = Buffer.allocUnsafe(4); b.writeFloatLE(v, 0); this.raw(b); }
  double(v) { const b = Buffer.allocUnsafe(8); b.writeDoubleLE(v, 0); this.raw(b); }
  finish() { return Buffer.from(this.bytes); }
}

class ProtoReader {
  constructor(buffer) { this.buf = buffer; this.pos = 0; }
  get done() { return this.pos >= this.buf.length; }
  varintBig() {
    let result = 0n, shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  }
  varint() { return Number(this.varintBig()); }
  take(n) {
    if (n < 0 || this.pos + n > this.buf.length) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  lengthDelimited() { return this.take(this.varint()); }
  float() { return this.take(4).readFloatLE(0); }
  double() { return this.take(8).readDoubleLE(0); }
  skip(wireType) {
    switch (wireType) {
      case 0: this.varintBig(); break;
      case 1: this.take(8); break;
      case 2: this.lengthDelimited(); break;
      case 5: this.take(4); break;
      default: throw new Error(`unsupported wire type ${wireType}`);
    }
  }
}

function zigzag64(n) { // n: BigInt
  return BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
}
function unzigzag64(z) {
  return (z >> 1n) ^ -(z & 1n);
}

// ---------------------------------------------------------------------------------------------
// RTData: GameSparks structured data, carried in the GameLift payload as a protobuf message whose
// field number is the slot (1-127): wire type 0 = number (zigzag varint), 1 = double, 5 = float,
// 2 = value message {1: string, 2: packed floats, 14: nested RTData}.

const MAX_RTDATA_DEPTH = 32;

function toSlot(index) {
  const n = typeof index === 'string' && /^\s*\d+\s*$/.test(index) ? Number(index) : index;
  return Number.isInteger(n) && n >= 1 && n <= 127 ? n : null;
}

class RTData {
  constructor() { this._slots = new Map(); }

  _set(index, type, value, method) {
    const slot = toSlot(index);
    if (slot === null) {
      log('warn', `RTData.${method}: slot ${util.inspect(index)} is not an integer from 1 to 127; ignored`);
      return this;
    }
    if (value === null || value === undefined) this._slots.delete(slot);
    else this._slots.set(slot, { type, value });
    return this;
  }

  _number(value, method) {
    const n = typeof value === 'number' ? value : Number(value);
    if (Number.isNaN(n) && typeof value !== 'number') {
      log('warn', `RTData.${method}: ${util.inspect(value)} is not a number; stored as NaN`);
    }
    return n;
  }

  setNumber(index, value) {
    if (value === null || value === undefined) return this._set(index, 'number', null, 'setNumber');
    const n = typeof value === 'bigint' ? Number(value) : this._number(value, 'setNumber');
    // An integer travels as a zigzag varint; anything else would lose its fraction, so it
    // travels as a double (every numeric getter reads it back).
    const isWireInteger = Number.isInteger(n) && Math.abs(n) <= 2 ** 63;
    return this._set(index, isWireInteger ? 'number' : 'double', n, 'setNumber');
  }
  setInt(index, value) { return this.setNumber(index, value); }
  setLong(index, value) { return this.setNumber(index, value); }
  setFloat(index, value) {
    return this._set(index, 'float', value == null ? null : Math.fround(this._number(value, 'setFloat')), 'setFloat');
  }
  setDouble(index, value) {
    return this._set(index, 'double', value == null ? null : this._number(value, 'setDouble'), 'setDouble');
  }
  setString(index, value) {
    return this._set(index, 'string', value == null ? null : String(value), 'setString');
  }
  setFloatArray(index, values) {
    if (values == null) return this._set(index, 'vector', null, 'setFloatArray');
    let list;
    try { list = Array.from(typeof values === 'object' ? values : [values], (v) => Math.fround(Number(v))); }
    catch (err) { list = []; }
    return this._set(index, 'vector', list, 'setFloatArray');
  }
  setData(index, data) {
    if (data == null) return this._set(index, 'data', null, 'setData');
    if (!(data instanceof RTData)) {
      log('warn', `RTData.setData: slot ${index}: ${util.inspect(data)} is not RTData (RTSession.newData()); ignored`);
      return this;
    }
    return this._set(index, 'data', data, 'setData');
  }

  _get(index, types) {
    const slot = toSlot(index);
    if (slot === null) return null;
    const entry = this._slots.get(slot);
    return entry && types.includes(entry.type) ? entry.value : null;
  }
  getNumber(index) { return this._get(index, ['number', 'double', 'float']); }
  getInt(index) { const v = this.getNumber(index); return v === null ? null : Math.trunc(v); }
  getLong(index) { return this.getInt(index); }
  getFloat(index) { return this._get(index, ['float', 'double', 'number']); }
  getDouble(index) { return this._get(index, ['double', 'float', 'number']); }
  getString(index) { return this._get(index, ['string']); }
  getFloatArray(index) { const v = this._get(index, ['vector']); return v === null ? null : v.slice(); }
  getData(index) { return this._get(index, ['data']); }
  has(index) { const slot = toSlot(index); return slot !== null && this._slots.has(slot); }

  toJSON() {
    const out = {};
    for (const [slot, { type, value }] of [...this._slots].sort((a, b) => a[0] - b[0])) {
      if (type === 'data') out[slot] = value.toJSON();
      else if (type === 'float' || type === 'double') out[slot] = { [type]: value };
      else if (type === 'vector') out[slot] = { floatArray: value };
      else out[slot] = value;
    }
    return out;
  }
  toString() { return JSON.stringify(this.toJSON()); }
  [util.inspect.custom]() { return `RTData ${this.toString()}`; }

  encode(depth = 0) {
    if (depth > MAX_RTDATA_DEPTH) throw new Error('RTData nested too deeply');
    const w = new ProtoWriter();
    for (const [slot, { type, value }] of [...this._slots].sort((a, b) => a[0] - b[0])) {
      switch (type) {
        case 'number': w.tag(slot, 0); w.varint(zigzag64(BigInt(value))); break;
        case 'double': w.tag(slot, 1); w.double(value); break;
        case 'float': w.tag(slot, 5); w.float(value); break;
        case 'string': {
          const inner = new ProtoWriter();
          inner.tag(1, 2); inner.lengthDelimited(Buffer.from(value, 'utf8'));
          w.tag(slot, 2); w.lengthDelimited(inner.finish());
          break;
        }
        case 'vector': {
          const floats = Buffer.allocUnsafe(4 * value.length);
          value.forEach((v, i) => floats.writeFloatLE(v, 4 * i));
          const inner = new ProtoWriter();
          inner.tag(2, 2); inner.lengthDelimited(floats);
          w.tag(slot, 2); w.lengthDelimited(inner.finish());
          break;
        }
        case 'data': {
          const inner = new ProtoWriter();
          inner.tag(14, 2); inner.lengthDelimited(value.encode(depth + 1));
          w.tag(slot, 2); w.lengthDelimited(inner.finish());
          break;
        }
      }
    }
    return w.finish();
  }

  static decode(buffer, depth = 0) {
    if (depth > MAX_RTDATA_DEPTH) throw new Error('RTData nested too deeply');
    const data = new RTData();
    const r = new ProtoReader(buffer);
    while (!r.done) {
      const tag = r.varint();
      const field = Math.floor(tag / 8), wireType = tag & 7;
      if (field < 1 || field > 127) { r.skip(wireType); continue; }
      switch (wireType) {
        case 0: data._slots.set(field, { type: 'number', value: Number(unzigzag64(r.varintBig())) }); break;
        case 1: data._slots.set(field, { type: 'double', value: r.double() }); break;
        case 5: data._slots.set(field, { type: 'float', value: r.float() }); break;
        case 2: {
          const entry = RTData._decodeValue(r.lengthDelimited(), depth);
          if (entry) data._slots.set(field, entry);
          break;
        }
        default: throw new Error(`unsupported wire type ${wireType} in slot ${field}`);
      }
    }
    return data;
  }

  static _decodeValue(buffer, depth) {
    const r = new ProtoReader(buffer);
    let entry = null;
    let floats = null;
    while (!r.done) {
      const tag = r.varint();
      const field = Math.floor(tag / 8), wireType = tag & 7;
      if (field === 1 && wireType === 2) {
        entry = { type: 'string', value: r.lengthDelimited().toString('utf8') };
      } else if (field === 2 && wireType === 2) {
        const packed = r.lengthDelimited();
        floats = floats || [];
        for (let i = 0; i + 4 <= packed.length; i += 4) floats.push(packed.readFloatLE(i));
        entry = { type: 'vector', value: floats };
      } else if (field === 2 && wireType === 5) {
        floats = floats || [];
        floats.push(r.float());
        entry = { type: 'vector', value: floats };
      } else if (field === 14 && wireType === 2) {
        entry = { type: 'data', value: RTData.decode(r.lengthDelimited(), depth + 1) };
      } else {
        r.skip(wireType);
      }
    }
    return entry;
  }
}

// ---------------------------------------------------------------------------------------------
// `../src/proto/Packet_pb`: the GameLift server's own generated module, which the official sample
// requires and never uses. We provide the Packet messages of PROTOCOL.md with the usual
// google-protobuf surface (getX/setX, serializeBinary, deserializeBinary, toObject).

function makeProtoMessage(name, fields, registry) {
  class Message {
    constructor(init) {
      for (const f of fields) this[`_${f.name}`] = f.repeated ? [] : defaultFor(f);
      if (init && typeof init === 'object') {
        for (const f of fields) if (init[f.name] !== undefined) this[`_${f.name}`] = init[f.name];
      }
    }
    serializeBinary() { return new Uint8Array(this._encode()); }
    _encode() {
      const w = new ProtoWriter();
      for (const f of fields) {
        const v = this[`_${f.name}`];
        if (f.repeated) {
          if (!v || v.length === 0) continue;
          const inner = new ProtoWriter();
          for (const item of v) inner.varint(BigInt.asUintN(64, BigInt(item | 0)));
          w.tag(f.no, 2); w.lengthDelimited(inner.finish());
          continue;
        }
        if (f.type === 'message') {
          if (v == null) continue;
          w.tag(f.no, 2); w.lengthDelimited(v._encode());
          continue;
        }
        if (v === defaultFor(f) || (f.type === 'bytes' && v.length === 0)) continue;
        switch (f.type) {
          case 'int32': w.tag(f.no, 0); w.varint(BigInt.asUintN(64, BigInt(v | 0))); break;
          case 'sint32': w.tag(f.no, 0); w.varint(zigzag64(BigInt(v | 0))); break;
          case 'bool': w.tag(f.no, 0); w.varint(v ? 1 : 0); break;
          case 'string': w.tag(f.no, 2); w.lengthDelimited(Buffer.from(String(v), 'utf8')); break;
          case 'bytes': w.tag(f.no, 2); w.lengthDelimited(Buffer.from(v)); break;
        }
      }
      return w.finish();
    }
    static deserializeBinary(bytes) {
      const msg = new Message();
      const r = new ProtoReader(Buffer.from(bytes));
      while (!r.done) {
        const tag = r.varint();
        const no = Math.floor(tag / 8), wireType = tag & 7;
        const f = fields.find((x) => x.no === no);
        if (!f) { r.skip(wireType); continue; }
        const key = `_${f.name}`;
        if (f.repeated) {
          if (wireType === 2) {
            const inner = new ProtoReader(r.lengthDelimited());
            while (!inner.done) msg[key].push(Number(BigInt.asIntN(32, inner.varintBig())));
          } else {
            msg[key].push(Number(BigInt.asIntN(32, r.varintBig())));
          }
          continue;
        }
        switch (f.type) {
          case 'int32': msg[key] = Number(BigInt.asIntN(32, r.varintBig())); break;
          case 'sint32': msg[key] = Number(BigInt.asIntN(32, unzigzag64(r.varintBig()))); break;
          case 'bool': msg[key] = r.varintBig() !== 0n; break;
          case 'string': msg[key] = r.lengthDelimited().toString('utf8'); break;
          case 'bytes': msg[key] = new Uint8Array(r.lengthDelimited()); break;
          case 'message': msg[key] = registry[f.message].deserializeBinary(r.lengthDelimited()); break;
        }
      }
      return msg;
    }
    toObject() {
      const out = {};
      for (const f of fields) {
        const v = this[`_${f.name}`];
        out[f.name] = f.type === 'message' ? (v == null ? undefined : v.toObject()) : (f.repeated ? v.slice() : v);
      }
      return out;
    }
    static toObject(includeInstance, msg) { return msg.toObject(); }
  }
  Object.defineProperty(Message, 'name', { value: name });
  for (const f of fields) {
    const upper = f.name[0].toUpperCase() + f.name.slice(1);
    const spellings = new Set([upper, upper[0] + upper.slice(1).toLowerCase()]);
    for (const s of spellings) {
      const suffix = f.repeated ? `${s}List` : s;
      Message.prototype[`get${suffix}`] = function () { return this[`_${f.name}`]; };
      Message.prototype[`set${suffix}`] = function (v) { this[`_${f.name}`] = v; return this; };
      if (f.type === 'message') {
        Message.prototype[`has${s}`] = function () { return this[`_${f.name}`] != null; };
        Message.prototype[`clear${s}`] = function () { this[`_${f.name}`] = undefined; return this; };
      }
      if (f.repeated) {
        Message.prototype[`add${s}`] = function (v) { this[`_${f.name}`].push(v); return this; };
      }
    }
  }
  return Message;
}

function defaultFor(f) {
  switch (f.type) {
    case 'int32': case 'sint32': return 0;
    case 'bool': return false;
    case 'string': return '';
    case 'bytes': return EMPTY_BYTES;
    default: return undefined;
  }
}
const EMPTY_BYTES = new Uint8Array(0);

function buildPacketPb() {
  const registry = {};
  const schema = {
    LoginCommand: [['playerSessionId', 1, 'string'], ['clientVersion', 2, 'int32']],
    LoginResult: [['success', 1, 'bool'], ['reconnectToken', 2, 'string'], ['peerId', 3, 'int32'],
      ['fastPort', 4, 'int32'], ['caCert', 5, 'bytes'], ['connectToken', 6, 'string']],
    PingCommand: [], PingResult: [], UDPConnectMessage: [],
    PlayerConnectMessage: [['peerId', 1, 'int32']],
    PlayerDisconnectMessage: [['peerId', 1, 'int32']],
    VerifyIdentityCommand: [['peerId', 1, 'int32'], ['connectToken', 2, 'string']],
    VerifyIdentityResult: [['success', 1, 'bool'], ['peerId', 2, 'int32']],
    JoinGroup: [['group', 1, 'int32']],
    LeaveGroup: [['group', 1, 'int32']],
    RequestGroupMembership: [['group', 1, 'int32']],
    GroupMembershipUpdate: [['group', 1, 'int32'], ['players', 2, 'int32', true]],
    Packet: [['opCode', 1, 'sint32'], ['sequenceNumber', 2, 'int32'], ['targetPlayer', 3, 'int32'],
      ['targetGroup', 4, 'int32'], ['sender', 5, 'int32'], ['reliable', 6, 'bool'],
      ['clientVersion', 7, 'int32'], ['payload', 15, 'bytes'],
      ['login', 30, 'message', false, 'LoginCommand'], ['loginResult', 31, 'message', false, 'LoginResult'],
      ['ping', 32, 'message', false, 'PingCommand'], ['pingResult', 33, 'message', false, 'PingResult'],
      ['udpConnect', 34, 'message', false, 'UDPConnectMessage'],
      ['playerConnect', 35, 'message', false, 'PlayerConnectMessage'],
      ['playerDisconnect', 36, 'message', false, 'PlayerDisconnectMessage'],
      ['verifyIdentity', 37, 'message', false, 'VerifyIdentityCommand'],
      ['verifyIdentityResult', 38, 'message', false, 'VerifyIdentityResult'],
      ['joinGroup', 40, 'message', false, 'JoinGroup'], ['leaveGroup', 41, 'message', false, 'LeaveGroup'],
      ['requestGroupMembership', 42, 'message', false, 'RequestGroupMembership'],
      ['groupMembershipUpdate', 43, 'message', false, 'GroupMembershipUpdate']],
  };
  for (const [name, list] of Object.entries(schema)) {
    const fields = list.map(([n, no, type, repeated, message]) =>
      ({ name: n, no, type, repeated: !!repeated, message }));
    registry[name] = makeProtoMessage(name, fields, registry);
  }
  return registry;
}

// ---------------------------------------------------------------------------------------------
// Module resolution: `../src/proto/Packet_pb` is provided; GameSparks `require("Name")` looks in
// the script's folder, then rtModules/ beside it, then ../rtModules/.

let scriptPath = null;
let scriptDir = null;
let scriptKind = null;
let packetPbFilename = null;

function isPacketPbRequest(request) {
  return /(^|[\\/])proto[\\/]Packet_pb(\.js)?$/.test(request);
}

function packetPbModule() {
  if (packetPbFilename) return packetPbFilename;
  packetPbFilename = path.resolve(scriptDir || process.cwd(), '..', 'src', 'proto', 'Packet_pb.js');
  const m = new Module(packetPbFilename, null);
  m.filename = packetPbFilename;
  m.exports = buildPacketPb();
  m.loaded = true;
  Module._cache[packetPbFilename] = m;
  return packetPbFilename;
}

function isBuiltinModule(request) {
  if (typeof Module.isBuiltin === 'function') return Module.isBuiltin(request); // Node >= 18.6
  return request.startsWith('node:') || Module.builtinModules.includes(request);
}

function isBareName(request) {
  return !request.startsWith('.') && !path.isAbsolute(request) && !request.startsWith('node:');
}

function gameSparksModuleDirs(parent) {
  const dirs = [];
  if (parent && parent.filename) dirs.push(path.dirname(parent.filename));
  dirs.push(scriptDir, path.join(scriptDir, 'rtModules'), path.join(scriptDir, '..', 'rtModules'));
  return [...new Set(dirs)];
}

function findGameSparksModule(request, parent) {
  for (const dir of gameSparksModuleDirs(parent)) {
    for (const candidate of [path.join(dir, request), path.join(dir, `${request}.js`)]) {
      try {
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch (err) {
        // not there: next candidate
      }
    }
  }
  return null;
}

const originalResolveFilename = Module._resolveFilename;
function resolveFilename(request, parent, isMain, options) {
  if (scriptKind === 'gamesparks' && typeof request === 'string' && isBareName(request) &&
      !isBuiltinModule(request)) {
    const found = findGameSparksModule(request, parent);
    if (found) return found;
  }
  try {
    return originalResolveFilename.call(this, request, parent, isMain, options);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && typeof request === 'string' && isPacketPbRequest(request)) {
      return packetPbModule();
    }
    throw err;
  }
}

function missingModuleMessage(err) {
  const match = /Cannot find module '([^']+)'/.exec(err.message || '');
  const name = match ? match[1] : '?';
  const stack = Array.isArray(err.requireStack) && err.requireStack.length ? err.requireStack[0] : scriptPath;
  if (isBareName(name)) {
    let where = `run \`npm install ${name}\` in ${scriptDir} (beside the script)`;
    if (scriptKind === 'gamesparks') {
      where = `put ${name}.js in ${scriptDir}, ${path.join(scriptDir, 'rtModules')} or ` +
        `${path.join(scriptDir, '..', 'rtModules')}, or ${where}`;
    }
    return `cannot find module '${name}' required by ${stack}: it is not installed; ${where}`;
  }
  return `cannot find module '${name}' required by ${stack}: no such file`;
}

// ---------------------------------------------------------------------------------------------
// The state mirror: players and groups as the server last told us, so that getPlayers() and
// friends answer synchronously.

const players = new Map(); // peerId -> {peerId, playerSessionId}
const groups = new Map(); // group -> Set(peerId)
const connecting = new Set(); // peer ids inside onPlayerConnect, not yet added

function mirrorAddPlayer(player) {
  if (!player || !Number.isInteger(player.peerId)) return;
  const existing = players.get(player.peerId);
  if (existing) {
    existing.playerSessionId = player.playerSessionId;
  } else {
    players.set(player.peerId, { peerId: player.peerId, playerSessionId: player.playerSessionId ?? '' });
  }
  connecting.delete(player.peerId);
}

function mirrorRemovePlayer(peerId) {
  players.delete(peerId);
  gameSparksPlayers.delete(peerId);
  connecting.delete(peerId);
  for (const [group, members] of groups) {
    members.delete(peerId);
    if (members.size === 0) groups.delete(group);
  }
}

function mirrorGroup(group, peerId, joined) {
  if (!Number.isInteger(group) || !Number.isInteger(peerId)) return;
  let members = groups.get(group);
  if (joined) {
    if (!members) groups.set(group, (members = new Set()));
    members.add(peerId);
  } else if (members) {
    members.delete(peerId);
    if (members.size === 0) groups.delete(group);
  }
}

function groupMembers(group) {
  if (group === GROUP_ID_ALL_PLAYERS) return [...players.keys()];
  return groups.has(group) ? [...groups.get(group)] : [];
}

// ---------------------------------------------------------------------------------------------
// Shared helpers for the script APIs.

function toInteger(value) {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  if (typeof value === 'bigint') return Number(value);
  return null;
}

function toBytes(value) {
  if (value == null) return Buffer.alloc(0);
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof ArrayBuffer) return Buffer.from(new Uint8Array(value));
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return Buffer.from(value);
  if (value instanceof RTData) return value.encode();
  if (typeof value === 'object') return Buffer.from(JSON.stringify(value), 'utf8');
  return Buffer.from(String(value), 'utf8');
}

function formatArgs(args) {
  return util.formatWithOptions({ depth: 6, breakLength: Infinity }, ...args);
}

function makeLogger(levels) {
  const logger = {};
  for (const [method, level] of levels) logger[method] = (...args) => log(level, formatArgs(args));
  return logger;
}

function sendFrame(opCode, sender, targetPlayer, targetGroup, reliable, payload) {
  queueFrame(K_SEND, 0, { opCode, sender, targetPlayer, targetGroup, reliable: !!reliable }, payload);
}

// ---------------------------------------------------------------------------------------------
// GameLift Realtime API.

class GameMessage {
  constructor(opCode, sender, payload, reliable, targetPlayer = 0, targetGroup = 0) {
    this.opCode = opCode;
    this.sender = sender;
    this.payload = payload;
    this.reliable = reliable;
    this.targetPlayer = targetPlayer;
    this.targetGroup = targetGroup;
  }
  get opcode() { return this.opCode; }
  set opcode(value) { this.opCode = value; }
  getPayloadAsText() { return toBytes(this.payload).toString('utf8'); }
}

class PlayerMap extends Map {
  get(key) { return super.get(toInteger(key) ?? key); }
  has(key) { return super.has(toInteger(key) ?? key); }
  get length() { return this.size; }
}

let gameSessionId = '';
let serverId = PLAYER_ID_SERVER;
let endRequested = false;
let endAcknowledged = null; // resolver of the first processEnding() Promise

function processEnding() {
  if (endRequested) return Promise.resolve(true);
  endRequested = true;
  queueFrame(K_END, 0, { code: 0 });
  flush();
  return new Promise((resolve) => {
    // Resolves on the server's `ended`; if the server never answers, do not keep the script
    // waiting forever.
    const fallback = nodeSetTimeout(() => { endAcknowledged = null; resolve(true); }, 5000);
    endAcknowledged = () => { nodeClearTimeout(fallback); endAcknowledged = null; resolve(true); };
  });
}

function describeValue(value) {
  return util.inspect(value, { depth: 1, breakLength: Infinity });
}

// Returns {opCode, sender, payload} from anything that looks like a game message, or null.
function outgoingMessage(method, msg) {
  if (!msg || typeof msg !== 'object') {
    log('warn', `rtSession.${method}: ${describeValue(msg)} is not a game message (use newTextGameMessage); ignored`);
    return null;
  }
  const opCode = toInteger(msg.opCode ?? msg.opcode);
  if (opCode === null) {
    const given = describeValue(msg.opCode ?? msg.opcode);
    log('warn', `rtSession.${method}: the message has no integer opCode (${given}); ignored`);
    return null;
  }
  const sender = toInteger(msg.sender) ?? PLAYER_ID_SERVER;
  return { opCode, sender, payload: toBytes(msg.payload) };
}

function sendToPeer(method, msg, peerId, reliable) {
  const m = outgoingMessage(method, msg);
  if (!m) return;
  const target = toInteger(peerId);
  if (target === null) {
    log('warn', `rtSession.${method}: ${describeValue(peerId)} is not a peer id; ignored`);
    return;
  }
  if (!players.has(target) && !connecting.has(target)) {
    log('warn', `rtSession.${method}: player ${target} is not connected; message ${m.opCode} ignored`);
    return;
  }
  sendFrame(m.opCode, m.sender, target, 0, reliable, m.payload);
}

function sendToGroup(method, msg, groupId, reliable) {
  const m = outgoingMessage(method, msg);
  if (!m) return;
  const group = toInteger(groupId);
  if (group === null) {
    log('warn', `rtSession.${method}: ${describeValue(groupId)} is not a group id; ignored`);
    return;
  }
  sendFrame(m.opCode, m.sender, 0, group, reliable, m.payload);
}

function newGameMessage(method, opCode, sender, payload) {
  const op = toInteger(opCode);
  if (op === null) log('warn', `rtSession.${method}: ${describeValue(opCode)} is not an integer op code`);
  return new GameMessage(op ?? opCode, toInteger(sender) ?? PLAYER_ID_SERVER, toBytes(payload), false);
}

const gameLiftLogger = makeLogger([
  ['debug', 'debug'], ['info', 'info'], ['warn', 'warn'], ['error', 'error'],
  ['fatal', 'fatal'], ['cxfatal', 'fatal'], ['log', 'info'], ['trace', 'debug'],
]);

const rtSession = {
  getPlayers() { return new PlayerMap(players); },
  broadcastGroupMembershipUpdate(groupToBroadcast, targetGroup) {
    const group = toInteger(groupToBroadcast);
    const target = toInteger(targetGroup);
    if (group === null || target === null) {
      log('warn', `rtSession.broadcastGroupMembershipUpdate: bad group ids ${describeValue(groupToBroadcast)}, ` +
        `${describeValue(targetGroup)}; ignored`);
      return;
    }
    queueFrame(K_BROADCAST, 0, { group, targetGroup: target });
  },
  getServerId() { return serverId; },
  getAllPlayersGroupId() { return GROUP_ID_ALL_PLAYERS; },
  processEnding,
  getGameSessionId() { return gameSessionId; },
  getLogger() { return gameLiftLogger; },
  sendMessage(msg, peerId) { sendToPeer('sendMessage', msg, peerId, false); },
  sendGroupMessage(msg, groupId) { sendToGroup('sendGroupMessage', msg, groupId, false); },
  sendReliableMessage(msg, peerId) { sendToPeer('sendReliableMessage', msg, peerId, true); },
  sendReliableGroupMessage(msg, groupId) { sendToGroup('sendReliableGroupMessage', msg, groupId, true); },
  newTextGameMessage(opCode, sender, payload) { return newGameMessage('newTextGameMessage', opCode, sender, payload); },
  newBinaryGameMessage(opCode, sender, bytes) { return newGameMessage('newBinaryGameMessage', opCode, sender, bytes); },
};

const GAMELIFT_DECISION_HOOKS = ['onPlayerConnect', 'onPlayerJoinGroup', 'onPlayerLeaveGroup',
  'onSendToPlayer', 'onSendToGroup', 'onHealthCheck'];
const GAMELIFT_NOTIFY_HOOKS = ['onPlayerAccepted', 'onPlayerDisconnect', 'onMessage', 'onProcessTerminate'];

function messageFrom(msg, payload) {
  return new GameMessage(msg.opCode, msg.sender, payload, !!msg.reliable, msg.targetPlayer ?? 0, msg.targetGroup ?? 0);
}

function gameLiftAdapter(ss) {
  const fn = (name) => (typeof ss[name] === 'function' ? ss[name] : null);
  return {
    ready() {
      const configuration = {};
      const c = ss.configuration;
      if (c && typeof c === 'object') {
        for (const key of ['maxPlayers', 'pingIntervalTime']) {
          const value = c[key] === null || c[key] === undefined ? NaN : Number(c[key]);
          if (Number.isFinite(value)) configuration[key] = value;
        }
      }
      return {
        kind: 'gamelift',
        hooks: GAMELIFT_DECISION_HOOKS.filter(fn),
        notify: GAMELIFT_NOTIFY_HOOKS.filter(fn),
        configuration,
        opCodes: [],
      };
    },
    // Returns {absent: true} when the script does not define the hook, else the hook's value.
    call(hook, msg, payload) {
      const f = GAMELIFT_DECISION_HOOKS.includes(hook) ? fn(hook) : null;
      if (!f) return ABSENT;
      switch (hook) {
        case 'onPlayerConnect': {
          const player = msg.player || {};
          const peerId = player.peerId;
          connecting.add(peerId);
          const p = { peerId, playerSessionId: player.playerSessionId ?? '' };
          return f.call(ss, { peerId, payload, playerSessionId: p.playerSessionId, player: p });
        }
        case 'onPlayerJoinGroup':
        case 'onPlayerLeaveGroup':
          return f.call(ss, msg.group, msg.peerId);
        case 'onSendToPlayer':
        case 'onSendToGroup':
          return f.call(ss, messageFrom(msg, payload));
        case 'onHealthCheck':
          return f.call(ss);
      }
      return ABSENT;
    },
    settled(hook, msg, accepted) {
      if (hook === 'onPlayerConnect' && !accepted && msg.player) connecting.delete(msg.player.peerId);
    },
    playerAccepted(player) {
      const f = fn('onPlayerAccepted');
      if (f) return f.call(ss, players.get(player.peerId) || player);
    },
    playerDisconnect(peerId) {
      const f = fn('onPlayerDisconnect');
      if (f) return f.call(ss, peerId);
    },
    message(msg, payload) {
      const f = fn('onMessage');
      if (f) return f.call(ss, messageFrom(msg, payload));
    },
    startGameSession(gameSession) {
      const f = fn('onStartGameSession');
      if (f) return f.call(ss, gameSession);
    },
    updateGameSession(update) {
      const f = fn('onUpdateGameSession');
      if (f) return f.call(ss, update);
    },
    terminateHook: 'onProcessTerminate',
    terminate() {
      const f = fn('onProcessTerminate');
      if (f) return f.call(ss);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// GameSparks Realtime API: the global RTSession.

const gameSparksPlayers = new Map(); // peerId -> RTPlayer
const packetHandlers = new Map(); // opCode -> fn(packet)
const gameSparksHandlers = { connect: null, disconnect: null, shutdown: null };
let readySent = false;
let opCodesUpdateScheduled = false;

class RTPlayer {
  constructor(peerId, playerId) { this._peerId = peerId; this._playerId = playerId; }
  getPeerId() { return this._peerId; }
  getPlayerId() { return this._playerId; }
  isConnected() { return players.has(this._peerId); }
  toJSON() { return { peerId: this._peerId, playerId: this._playerId }; }
  [util.inspect.custom]() { return `RTPlayer(${this._peerId}, ${JSON.stringify(this._playerId)})`; }
}

function gameSparksPlayer(peerId) {
  let p = gameSparksPlayers.get(peerId);
  if (!p) {
    const mirror = players.get(peerId);
    p = new RTPlayer(peerId, mirror ? mirror.playerSessionId : null);
    if (mirror) gameSparksPlayers.set(peerId, p);
  }
  return p;
}

class RTPacket {
  constructor(msg, payload) {
    this._opCode = msg.opCode;
    this._sender = msg.sender;
    this._targetPlayer = msg.targetPlayer ?? 0;
    this._targetGroup = msg.targetGroup ?? 0;
    this._reliable = !!msg.reliable;
    this._payload = payload;
    this._data = undefined;
  }
  getOpCode() { return this._opCode; }
  getSender() { return gameSparksPlayer(this._sender); }
  getTargetPlayers() {
    if (this._targetPlayer === PLAYER_ID_SERVER) return [];
    if (this._targetGroup === GROUP_ID_ALL_PLAYERS) return [];
    if (this._targetGroup !== 0) return groupMembers(this._targetGroup);
    return this._targetPlayer > 0 ? [this._targetPlayer] : [];
  }
  getData() {
    if (this._data === undefined) {
      try {
        this._data = RTData.decode(this._payload);
      } catch (err) {
        log('debug', `packet ${this._opCode} from ${this._sender}: payload is not RTData (${err.message}); ` +
          'getData() is empty');
        this._data = new RTData();
      }
    }
    return this._data;
  }
  getPayload() { return this._payload; }
  getReliable() { return this._reliable; }
  isReliable() { return this._reliable; }
}

class RTPacketBuilder {
  constructor() {
    this._opCode = null;
    this._targets = null; // null = everyone
    this._data = null;
    this._reliable = false;
    this._sender = PLAYER_ID_SERVER;
  }
  setOpCode(opCode) {
    const op = toInteger(opCode);
    if (op === null) log('warn', `packet.setOpCode: ${describeValue(opCode)} is not an integer; ignored`);
    else this._opCode = op;
    return this;
  }
  setTargetPeers(...args) {
    const flat = args.flat(Infinity).filter((x) => x !== undefined && x !== null);
    if (flat.length === 0) { this._targets = null; return this; }
    const targets = [];
    for (const t of flat) {
      const id = toInteger(t instanceof RTPlayer ? t.getPeerId() : t);
      if (id === null) log('warn', `packet.setTargetPeers: ${describeValue(t)} is not a peer id; skipped`);
      else targets.push(id);
    }
    this._targets = targets;
    return this;
  }
  setData(data) {
    if (data != null && !(data instanceof RTData)) {
      log('warn', `packet.setData: ${describeValue(data)} is not RTData (RTSession.newData()); ignored`);
      return this;
    }
    this._data = data;
    return this;
  }
  setReliable(reliable) { this._reliable = !!reliable; return this; }
  setSender(peerId) {
    const id = toInteger(peerId instanceof RTPlayer ? peerId.getPeerId() : peerId);
    if (id === null) log('warn', `packet.setSender: ${describeValue(peerId)} is not a peer id; ignored`);
    else this._sender = id;
    return this;
  }
  send() {
    if (this._opCode === null) {
      log('warn', 'packet.send: no op code (setOpCode); not sent');
      return this;
    }
    const payload = this._data ? this._data.encode() : Buffer.alloc(0);
    if (this._targets === null) {
      sendFrame(this._opCode, this._sender, 0, GROUP_ID_ALL_PLAYERS, this._reliable, payload);
      return this;
    }
    for (const peerId of new Set(this._targets)) {
      if (!players.has(peerId)) {
        log('debug', `packet.send: player ${peerId} is not connected; skipped`);
        continue;
      }
      sendFrame(this._opCode, this._sender, peerId, 0, this._reliable, payload);
    }
    return this;
  }
}

const PLATFORM_UNAVAILABLE = 'GameSparks platform requests are unavailable: the GameSparks cloud no longer exists';

// A builder that accepts any method name, for RTSession.newRequest().
function newPlatformRequest() {
  const calls = [];
  const target = function () {};
  const proxy = new Proxy(target, {
    get(_, prop) {
      if (typeof prop === 'symbol' || prop === 'then' || prop === 'toJSON') return undefined;
      if (prop === 'send') {
        return (callback) => {
          log('warn', `RTSession.newRequest()${calls.map((c) => `.${c}()`).join('')}.send(): ${PLATFORM_UNAVAILABLE}`);
          if (typeof callback === 'function') {
            const response = {
              error: { error: PLATFORM_UNAVAILABLE, toString() { return PLATFORM_UNAVAILABLE; } },
              scriptData() { return null; },
              getScriptData() { return null; },
            };
            nodeSetImmediate(() => withHookLabel('', () => callback(response)));
          }
          return undefined;
        };
      }
      return (..._args) => { calls.push(prop); return proxy; };
    },
    apply() { return proxy; },
  });
  return proxy;
}

// Timers with numeric ids, as GameSparks had them.
const gameSparksTimers = new Map();
let timerSequence = 0;

function gsSetTimer(repeat, fn, ms, args) {
  const id = ++timerSequence;
  if (typeof fn !== 'function') {
    log('warn', `${repeat ? 'setInterval' : 'setTimeout'}: ${describeValue(fn)} is not a function; ignored`);
    return id;
  }
  const delay = Math.max(0, Number(ms) || 0);
  const handle = repeat
    ? nodeSetInterval(() => fn(...args), delay)
    : nodeSetTimeout(() => { gameSparksTimers.delete(id); fn(...args); }, delay);
  gameSparksTimers.set(id, handle);
  return id;
}

function gsClearTimer(id) {
  if (id == null) return;
  const key = toInteger(id);
  if (key !== null && gameSparksTimers.has(key)) {
    const handle = gameSparksTimers.get(key);
    gameSparksTimers.delete(key);
    nodeClearTimeout(handle);
    nodeClearInterval(handle);
    return;
  }
  if (typeof id === 'object') { nodeClearTimeout(id); nodeClearInterval(id); }
}

const gameSparksTimerApi = {
  setTimeout: (fn, ms, ...args) => gsSetTimer(false, fn, ms, args),
  setInterval: (fn, ms, ...args) => gsSetTimer(true, fn, ms, args),
  clearTimeout: gsClearTimer,
  clearInterval: gsClearTimer,
};

function scheduleOpCodesUpdate() {
  if (!readySent || opCodesUpdateScheduled) return;
  opCodesUpdateScheduled = true;
  nodeSetImmediate(() => {
    opCodesUpdateScheduled = false;
    queueFrame(K_OPCODES, 0, { opCodes: [...packetHandlers.keys()] });
  });
}

function registration(name, key) {
  return (fn) => {
    if (typeof fn !== 'function' && fn != null) {
      log('warn', `RTSession.${name}: ${describeValue(fn)} is not a function; ignored`);
      return;
    }
    gameSparksHandlers[key] = fn || null;
  };
}

const gameSparksLogger = makeLogger([
  ['debug', 'debug'], ['info', 'info'], ['warn', 'warn'], ['error', 'error'], ['fatal', 'fatal'],
  ['log', 'info'], ['trace', 'debug'],
]);

const RTSession = {
  onPacket(opCode, fn) {
    const op = toInteger(opCode);
    if (op === null) { log('warn', `RTSession.onPacket: ${describeValue(opCode)} is not an op code; ignored`); return; }
    if (typeof fn === 'function') packetHandlers.set(op, fn);
    else if (fn == null) packetHandlers.delete(op);
    else { log('warn', `RTSession.onPacket(${op}): ${describeValue(fn)} is not a function; ignored`); return; }
    scheduleOpCodesUpdate();
  },
  onPlayerConnect: registration('onPlayerConnect', 'connect'),
  onPlayerDisconnect: registration('onPlayerDisconnect', 'disconnect'),
  onSessionShutdown: registration('onSessionShutdown', 'shutdown'),
  getPlayer(peerId) {
    const id = toInteger(peerId);
    return id !== null && players.has(id) ? gameSparksPlayer(id) : null;
  },
  getPlayers() { return [...players.keys()].map(gameSparksPlayer); },
  getSessionId() { return gameSessionId; },
  getLogger() { return gameSparksLogger; },
  newPacket() { return new RTPacketBuilder(); },
  newData() { return new RTData(); },
  newRequest() { return newPlatformRequest(); },
  ...gameSparksTimerApi,
};

function gameSparksAdapter() {
  return {
    ready() {
      const notify = [];
      if (gameSparksHandlers.connect) notify.push('onPlayerConnect');
      if (gameSparksHandlers.disconnect) notify.push('onPlayerDisconnect');
      if (gameSparksHandlers.shutdown) notify.push('onSessionShutdown');
      const opCodes = [...packetHandlers.keys()];
      return { kind: 'gamesparks', hooks: ['onPacket'], notify, configuration: {}, opCodes };
    },
    call(hook, msg, payload) {
      if (hook !== 'onPacket') return ABSENT;
      const f = packetHandlers.get(msg.opCode);
      if (!f) return ABSENT;
      return f.call(globalThis, new RTPacket(msg, payload));
    },
    settled() {},
    playerAccepted(player) {
      const f = gameSparksHandlers.connect;
      if (f) return f.call(globalThis, gameSparksPlayer(player.peerId));
    },
    playerDisconnect(peerId) {
      const f = gameSparksHandlers.disconnect;
      if (f) return f.call(globalThis, gameSparksPlayer(peerId));
    },
    message(msg, payload) {
      const f = packetHandlers.get(msg.opCode);
      if (f) return f.call(globalThis, new RTPacket(msg, payload));
    },
    terminateHook: 'onSessionShutdown',
    terminate() {
      if (gameSparksHandlers.shutdown) return gameSparksHandlers.shutdown.call(globalThis);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Loading the script and deciding its kind.
//
// Rule: after stripping comments, a script that mentions the identifier `ssExports` is GameLift;
// otherwise one that mentions `RTSession` is GameSparks; otherwise it is loaded as CommonJS and
// must end up with `exports.ssExports` (it may get it from a module it requires).

function stripComments(source) {
  let out = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < n && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      out += ' ';
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < n && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function detectKind(source) {
  const code = stripComments(source);
  if (/\bssExports\b/.test(code)) return 'gamelift';
  if (/\bRTSession\b/.test(code)) return 'gamesparks';
  return 'gamelift';
}

function loadCommonJs(file, source) {
  const m = new Module(file, null);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  Module._cache[file] = m;
  try {
    m._compile(source, file);
  } catch (err) {
    delete Module._cache[file];
    throw err;
  }
  m.loaded = true;
  return m;
}

function installGameSparksGlobals() {
  globalThis.RTSession = RTSession;
  Object.assign(globalThis, gameSparksTimerApi);
  const scriptRequire = Module.createRequire(scriptPath);
  globalThis.require = scriptRequire;
}

class StartFailure extends Error {}

function loadError(err) {
  if (err && err.code === 'MODULE_NOT_FOUND') return new StartFailure(missingModuleMessage(err), { cause: err });
  return err;
}

// ---------------------------------------------------------------------------------------------
// Running callbacks.

const ABSENT = Symbol('absent');
let adapter = null;
let started = false;
let terminating = false;

function isThenable(v) {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function';
}

// Runs a notification callback: errors and rejections are logged, the result is ignored.
function runNotification(name, fn) {
  let result;
  try {
    result = withHookLabel(name, fn);
  } catch (err) {
    log('error', `${name} threw: ${describeError(err)}`);
    return;
  }
  if (isThenable(result)) {
    Promise.resolve(result).catch((err) => log('error', `${name} rejected: ${describeError(err)}`));
  }
}

// Runs a step with the hook timeout; resolves to {value} or {error} or {hung: true}.
function runBounded(name, fn) {
  let result;
  try {
    result = withHookLabel(name, fn);
  } catch (err) {
    return Promise.resolve({ error: err });
  }
  if (!isThenable(result)) return Promise.resolve({ value: result });
  return new Promise((resolve) => {
    const timer = nodeSetTimeout(() => resolve({ hung: true }), HOOK_TIMEOUT_MS);
    Promise.resolve(result).then(
      (value) => { nodeClearTimeout(timer); resolve({ value }); },
      (error) => { nodeClearTimeout(timer); resolve({ error }); },
    );
  });
}

function fail(message, err) {
  queueFrame(K_FAILED, 0, { message, stack: err ? describeError(err) : '' });
  flush();
}

async function handleStart(msg) {
  if (started || adapter) { log('warn', 'start received twice; ignored'); return; }
  scriptPath = path.resolve(String(msg.scriptPath || process.env.RTCTL_SCRIPT || ''));
  scriptDir = path.dirname(scriptPath);
  gameSessionId = msg.gameSessionId == null ? '' : String(msg.gameSessionId);
  serverId = toInteger(msg.serverId) ?? PLAYER_ID_SERVER;

  let source;
  try {
    source = fs.readFileSync(scriptPath, 'utf8');
  } catch (err) {
    fail(`cannot read the script ${scriptPath}: ${err.message}`, err);
    return;
  }
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  scriptKind = detectKind(source);

  if (scriptKind === 'gamesparks') {
    installGameSparksGlobals();
    try {
      withHookLabel('loading the script', () => vm.runInThisContext(source, { filename: scriptPath }));
    } catch (err) {
      const e = loadError(err);
      fail(e instanceof StartFailure ? e.message : `the script failed to load: ${errorSummary(err)}`, err);
      return;
    }
    adapter = gameSparksAdapter();
  } else {
    let m;
    try {
      m = withHookLabel('loading the script', () => loadCommonJs(scriptPath, source));
    } catch (err) {
      const e = loadError(err);
      fail(e instanceof StartFailure ? e.message : `the script failed to load: ${errorSummary(err)}`, err);
      return;
    }
    const ss = m.exports && m.exports.ssExports;
    if (!ss || typeof ss !== 'object') {
      fail(`${scriptPath} is neither a GameLift Realtime script (it sets no exports.ssExports) ` +
        'nor a GameSparks Realtime script (it never uses RTSession)');
      return;
    }
    if (typeof ss.init !== 'function') {
      fail(`${scriptPath}: exports.ssExports has no init function (init is required)`);
      return;
    }
    adapter = gameLiftAdapter(ss);
    const extra = msg.gameSession && typeof msg.gameSession === 'object' ? msg.gameSession : {};
    const gameSession = Object.assign({ gameSessionId }, extra);
    const steps = [['init', () => ss.init(rtSession)]];
    if (typeof ss.onProcessStarted === 'function') {
      steps.push(['onProcessStarted', () => ss.onProcessStarted(msg.args || {})]);
    }
    if (typeof ss.onStartGameSession === 'function' && !msg.deferGameSession) {
      steps.push(['onStartGameSession', () => ss.onStartGameSession(gameSession)]);
    }
    for (const [name, step] of steps) {
      const outcome = await runBounded(name, step);
      if (outcome.hung) { queueFrame(K_HUNG, 0, { hook: name }); flush(); return; }
      if ('error' in outcome) { fail(`${name} threw: ${errorSummary(outcome.error)}`, outcome.error); return; }
      if (name === 'onProcessStarted' && outcome.value === false) {
        fail('onProcessStarted returned false: the script is not ready to host');
        return;
      }
    }
  }
  started = true;
  readySent = true;
  queueFrame(K_READY, 0, adapter.ready());
}

const KNOWN_CALLS = new Set([...GAMELIFT_DECISION_HOOKS, 'onPacket']);
const RESULT_TRUE = '{"value":true}';
const RESULT_FALSE = '{"value":false}';

function answer(id, value) {
  queueFrame(K_RESULT, id, value ? RESULT_TRUE : RESULT_FALSE);
}

// A fleet manager started the game session: onStartGameSession(gameSession), bounded like the
// start-up callbacks. getGameSessionId() returns the fleet's id from now on.
async function handleStartGameSession(id, msg) {
  const gameSession = msg.gameSession && typeof msg.gameSession === 'object' ? msg.gameSession : {};
  if (gameSession.gameSessionId != null) gameSessionId = String(gameSession.gameSessionId);
  if (!adapter || typeof adapter.startGameSession !== 'function') { answer(id, true); return; }
  const outcome = await runBounded('onStartGameSession', () => adapter.startGameSession(gameSession));
  if (outcome.hung) {
    log('error', `onStartGameSession did not settle within ${HOOK_TIMEOUT_MS} ms`);
    answer(id, false);
  } else if ('error' in outcome) {
    log('error', `onStartGameSession threw: ${describeError(outcome.error)}`);
    answer(id, false);
  } else {
    answer(id, true);
  }
}

function handleCall(id, msg, payload) {
  const hook = msg.hook;
  if (hook === 'startGameSession' && started) {
    handleStartGameSession(id, msg).catch((err) => {
      log('error', `onStartGameSession failed: ${describeError(err)}`);
      answer(id, false);
    });
    return;
  }
  if (!started) {
    log('warn', `call ${hook} before the script is ready; answered false`);
    answer(id, false);
    return;
  }
  if (!KNOWN_CALLS.has(hook)) {
    log('warn', `call of an unknown hook ${JSON.stringify(hook)}; answered false`);
    answer(id, false);
    return;
  }
  let result;
  try {
    result = withHookLabel(hook, () => adapter.call(hook, msg, payload));
  } catch (err) {
    log('error', `${hook} threw: ${describeError(err)}`);
    adapter.settled(hook, msg, false);
    answer(id, false);
    return;
  }
  if (result === ABSENT) { answer(id, true); return; }
  if (!isThenable(result)) {
    adapter.settled(hook, msg, !!result);
    answer(id, !!result);
    return;
  }
  let done = false;
  const timer = nodeSetTimeout(() => {
    if (done) return;
    done = true;
    log('error', `${hook} did not settle within ${HOOK_TIMEOUT_MS} ms`);
    queueFrame(K_HUNG, 0, { hook, id });
  }, HOOK_TIMEOUT_MS);
  Promise.resolve(result).then(
    (value) => {
      if (done) return;
      done = true;
      nodeClearTimeout(timer);
      adapter.settled(hook, msg, !!value);
      answer(id, !!value);
    },
    (err) => {
      if (done) return;
      done = true;
      nodeClearTimeout(timer);
      log('error', `${hook} rejected: ${describeError(err)}`);
      adapter.settled(hook, msg, false);
      answer(id, false);
    },
  );
}

async function terminate(reason) {
  if (terminating) return;
  terminating = true;
  let timedOut = false;
  if (started && adapter) {
    const outcome = await runBounded(adapter.terminateHook, () => adapter.terminate());
    if (outcome.hung) {
      timedOut = true;
      log('error', `${adapter.terminateHook} did not settle within ${HOOK_TIMEOUT_MS} ms`);
    } else if ('error' in outcome) {
      log('error', `${adapter.terminateHook} threw: ${describeError(outcome.error)}`);
    }
  }
  if (reason !== 'bridge closed') {
    queueFrame(K_TERMINATED, 0, timedOut ? { timedOut: true } : {});
  }
  flush();
  realExit(0);
}

function handleNotify(msg, payload) {
  switch (msg.event) {
    case 'playerAdded': mirrorAddPlayer(msg.player); return;
    case 'playerRemoved': mirrorRemovePlayer(msg.peerId); return;
    case 'groupJoined': mirrorGroup(msg.group, msg.peerId, true); return;
    case 'groupLeft': mirrorGroup(msg.group, msg.peerId, false); return;
    case 'terminate': terminate('terminate'); return;
  }
  if (!started) {
    log('debug', `notify ${msg.event} before the script is ready; ignored`);
    return;
  }
  switch (msg.event) {
    case 'playerAccepted': {
      const name = scriptKind === 'gamesparks' ? 'onPlayerConnect' : 'onPlayerAccepted';
      runNotification(name, () => adapter.playerAccepted(msg.player || {}));
      return;
    }
    case 'playerDisconnect':
      runNotification('onPlayerDisconnect', () => adapter.playerDisconnect(msg.peerId));
      return;
    case 'message':
      runNotification(scriptKind === 'gamesparks' ? 'onPacket' : 'onMessage', () => adapter.message(msg, payload));
      return;
    case 'updateGameSession':
      if (adapter.updateGameSession) {
        runNotification('onUpdateGameSession', () => adapter.updateGameSession(msg.updateGameSession || {}));
      }
      return;
    default:
      log('warn', `unknown notification ${JSON.stringify(msg.event)}; ignored`);
  }
}

function dispatch(kind, id, msg, payload) {
  switch (kind) {
    case K_START:
      handleStart(msg).catch((err) => fail(`the script host failed to start the script: ${err.message}`, err));
      return;
    case K_CALL: handleCall(id, msg, payload); return;
    case K_NOTIFY: handleNotify(msg, payload); return;
    case K_ENDED: if (endAcknowledged) endAcknowledged(); return;
    default: log('warn', `unknown bridge frame kind ${kind}; ignored`);
  }
}

// ---------------------------------------------------------------------------------------------
// Input.

let inBuffer = null;
const EMPTY = Buffer.alloc(0);

function bridgeError(message) {
  log('fatal', `script host: malformed bridge input: ${message}`);
  flush();
  realExit(70);
}

function onInput(chunk) {
  inBuffer = inBuffer ? Buffer.concat([inBuffer, chunk]) : chunk;
  let off = 0;
  const buf = inBuffer;
  while (buf.length - off >= 4) {
    const length = buf.readUInt32LE(off);
    if (length < 9 || length > MAX_FRAME) return bridgeError(`frame length ${length}`);
    if (buf.length - off - 4 < length) break;
    const kind = buf[off + 4];
    const id = buf.readUInt32LE(off + 5);
    const jsonLength = buf.readUInt32LE(off + 9);
    if (jsonLength > length - 9) return bridgeError(`JSON length ${jsonLength} in a frame of ${length}`);
    const jsonStart = off + 13;
    const payloadStart = jsonStart + jsonLength;
    const end = off + 4 + length;
    off = end;
    let msg;
    try {
      msg = jsonLength ? JSON.parse(buf.toString('utf8', jsonStart, payloadStart)) : {};
    } catch (err) {
      return bridgeError(`bad JSON in a kind ${kind} frame: ${err.message}`);
    }
    if (msg === null || typeof msg !== 'object') msg = {};
    const payload = end > payloadStart ? Buffer.from(buf.subarray(payloadStart, end)) : EMPTY;
    try {
      dispatch(kind, id, msg, payload);
    } catch (err) {
      log('error', `script host: frame kind ${kind} failed: ${describeError(err)}`);
    }
  }
  inBuffer = off === buf.length ? null : buf.subarray(off);
}

function openInput() {
  let stream;
  let isStream = false;
  try {
    const st = fs.fstatSync(IN_FD);
    isStream = st.isFIFO() || st.isSocket();
  } catch (err) {
    process.stderr.write(`rtctl script host: fd ${IN_FD} is not open (${err.message}); ` +
      'it must be started by rtctl serve\n');
    realExit(64);
  }
  if (isStream) {
    stream = new net.Socket({ fd: IN_FD, readable: true, writable: false });
  } else {
    stream = fs.createReadStream(null, { fd: IN_FD, autoClose: false });
  }
  stream.on('data', onInput);
  stream.on('end', () => terminate('bridge closed'));
  stream.on('error', (err) => {
    process.stderr.write(`rtctl script host: bridge read failed: ${err.message}\n`);
    terminate('bridge closed');
  });
}

// ---------------------------------------------------------------------------------------------
// Process-level behaviour.

function installProcessHooks() {
  process.exit = function exit(code) {
    let status = code === undefined ? process.exitCode : code;
    status = toInteger(status) ?? 0;
    queueFrame(K_END, 0, { code: status });
    flush();
    realExit(status);
  };
  process.on('uncaughtException', (err, origin) => {
    log('error', `uncaught ${origin === 'unhandledRejection' ? 'rejection' : 'exception'}: ${describeError(err)}`);
  });
  process.on('unhandledRejection', (reason) => {
    log('error', `unhandled promise rejection: ${describeError(reason)}`);
  });
  // The server coordinates shutdown (it sends `terminate`): a terminal's Ctrl-C reaching the whole
  // process group must not kill the script under it. SIGTERM sent to the host alone acts like
  // `terminate`.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => terminate('SIGTERM'));
}

function main() {
  bridgeEnabled = true;
  Module._resolveFilename = resolveFilename;
  installProcessHooks();
  startWatchdog();
  openInput();
}

const runAsProgram = require.main === undefined || require.main === module;
if (runAsProgram) {
  main();
} else {
  // Required by the tests: expose the pure parts.
  module.exports = { RTData, buildPacketPb, detectKind, stripComments, encodeFrame, ProtoReader, ProtoWriter };
}
