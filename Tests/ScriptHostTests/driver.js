'use strict';
// A small stand-in for the Swift server's side of the script-host bridge: spawns `node host.js`
// with fd 3 (server -> host) and fd 4 (host -> server) as pipes and speaks the frame format of
// Sources/RealtimeServer/ScriptHost/BRIDGE.md.

const { spawn } = require('child_process');
const path = require('path');

const HOST = path.resolve(__dirname, '../../Sources/RealtimeServer/ScriptHost/host.js');
const FIXTURES = path.join(__dirname, 'fixtures');

const KIND = {
  start: 1, call: 2, notify: 3, ended: 4,
  ready: 101, failed: 102, result: 103, send: 104, broadcastMembership: 105, hung: 106,
  terminated: 107, log: 108, end: 109, opCodes: 110,
};
const KIND_NAME = Object.fromEntries(Object.entries(KIND).map(([k, v]) => [v, k]));

function encodeFrame(kind, id, json, payload) {
  const text = Buffer.from(json === undefined ? '' : JSON.stringify(json), 'utf8');
  const body = payload ? Buffer.from(payload) : Buffer.alloc(0);
  const head = Buffer.alloc(13);
  head.writeUInt32LE(9 + text.length + body.length, 0);
  head[4] = kind;
  head.writeUInt32LE(id, 5);
  head.writeUInt32LE(text.length, 9);
  return Buffer.concat([head, text, body]);
}

class FrameParser {
  constructor(onFrame) { this.onFrame = onFrame; this.buffer = Buffer.alloc(0); }
  push(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32LE(0);
      if (this.buffer.length < 4 + length) break;
      const kind = this.buffer[4];
      const id = this.buffer.readUInt32LE(5);
      const jsonLength = this.buffer.readUInt32LE(9);
      const jsonText = this.buffer.toString('utf8', 13, 13 + jsonLength);
      const payload = Buffer.from(this.buffer.subarray(13 + jsonLength, 4 + length));
      this.buffer = this.buffer.subarray(4 + length);
      this.onFrame({ kind, name: KIND_NAME[kind] || `kind${kind}`, id, json: jsonLength ? JSON.parse(jsonText) : {}, payload });
    }
  }
}

class Host {
  constructor(script, { timeoutMs = 2000, env = {}, cwd, nodeArgs = [], viaStdin = false } = {}) {
    this.script = path.isAbsolute(script) ? script : path.join(FIXTURES, script);
    this.frames = [];
    this.waiters = [];
    this.pending = new Map();
    this.nextId = 1;
    this.stdout = '';
    this.stderr = '';
    // viaStdin: feed the host's source on standard input (`node -`), as rtctl may do with the
    // copy embedded in its binary.
    this.child = spawn(process.execPath, [...nodeArgs, viaStdin ? '-' : HOST], {
      stdio: [viaStdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, RTCTL_SCRIPT: this.script, RTCTL_HOOK_TIMEOUT_MS: String(timeoutMs), ...env },
      cwd,
    });
    if (viaStdin) this.child.stdin.end(require('fs').readFileSync(HOST));
    this.toHost = this.child.stdio[3];
    this.fromHost = this.child.stdio[4];
    this.toHost.on('error', () => {});
    this.child.stdout.on('data', (d) => { this.stdout += d; });
    this.child.stderr.on('data', (d) => { this.stderr += d; });
    const parser = new FrameParser((frame) => this._onFrame(frame));
    this.fromHost.on('data', (chunk) => parser.push(chunk));
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  _onFrame(frame) {
    this.frames.push(frame);
    if (frame.kind === KIND.result && this.pending.has(frame.id)) {
      const resolve = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      resolve(frame);
    }
    for (const w of [...this.waiters]) {
      if (w.predicate(frame)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(frame);
      }
    }
  }

  write(kind, id, json, payload) {
    this.toHost.write(encodeFrame(kind, id, json, payload));
  }

  // Waits for a frame matching `predicate` (a function or a kind name), counting frames that
  // already arrived after index `from`.
  waitFor(predicate, { timeoutMs = 5000, from = 0 } = {}) {
    const test = typeof predicate === 'function' ? predicate : (f) => f.name === predicate;
    const seen = this.frames.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { predicate: test, resolve };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`timed out waiting for a frame; got: ${JSON.stringify(this.frames.map((f) => [f.name, f.json]))}\nstderr: ${this.stderr}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  async start(extra = {}) {
    this.write(KIND.start, 0, { scriptPath: this.script, args: { port: 1900 }, gameSessionId: 'gsess-1', serverId: -1, ...extra });
    return this.waitFor((f) => f.name === 'ready' || f.name === 'failed');
  }

  call(hook, json = {}, payload) {
    const id = this.nextId++;
    const p = new Promise((resolve) => this.pending.set(id, resolve));
    this.write(KIND.call, id, { hook, ...json }, payload);
    return p.then((f) => f.json.value);
  }

  // Sends a call without waiting; returns its id.
  callNoWait(hook, json = {}, payload) {
    const id = this.nextId++;
    this.write(KIND.call, id, { hook, ...json }, payload);
    return id;
  }

  notify(event, json = {}, payload) {
    this.write(KIND.notify, 0, { event, ...json }, payload);
  }

  // Connects a player the way the server does: onPlayerConnect, then playerAdded + playerAccepted.
  async connect(peerId, playerSessionId = `psess-${peerId}`, payload = Buffer.alloc(0)) {
    const player = { peerId, playerSessionId };
    const ok = await this.call('onPlayerConnect', { player }, payload);
    if (ok) {
      this.notify('playerAdded', { player });
      this.notify('playerAccepted', { player });
    }
    return ok;
  }

  disconnect(peerId) {
    this.notify('playerDisconnect', { peerId });
    this.notify('playerRemoved', { peerId });
  }

  // A round trip: a call nobody cares about, to be sure earlier frames were processed.
  async sync() {
    await this.call('onHealthCheck');
  }

  logs(level) {
    return this.frames.filter((f) => f.name === 'log' && (!level || f.json.level === level)).map((f) => f.json.message);
  }

  sends(from = 0) {
    return this.frames.slice(from).filter((f) => f.name === 'send');
  }

  async close() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

module.exports = { Host, KIND, encodeFrame, FrameParser, HOST, FIXTURES };
