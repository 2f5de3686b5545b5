'use strict';
// Micro-benchmark of the script-host bridge: round trips per second of pipelined onSendToGroup
// calls (32-byte payload) through `node host.js`, measured three ways:
//   burst     all calls written at once (the host's own throughput)
//   window    at most WINDOW calls in flight, refilled as answers come back
//   serial    one call at a time (bound by latency)
//
//   node Tests/ScriptHostTests/bench-bridge.js [calls=200000] [window=256]

const { Host, encodeFrame } = require('./driver');

const CALLS = Number(process.argv[2]) || 200000;
const WINDOW = Number(process.argv[3]) || 256;
const TRUE_JSON = Buffer.from('{"value":true}');

// Counts result frames straight off the pipe (no JSON parsing on the driver side).
function counter(host, onResult) {
  let pending = Buffer.alloc(0);
  host.fromHost.removeAllListeners('data');
  host.fromHost.on('data', (chunk) => {
    let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let off = 0;
    let results = 0;
    while (buf.length - off >= 4) {
      const length = buf.readUInt32LE(off);
      if (buf.length - off - 4 < length) break;
      if (buf[off + 4] === 103) {
        const jsonLength = buf.readUInt32LE(off + 9);
        if (!buf.subarray(off + 13, off + 13 + jsonLength).equals(TRUE_JSON)) throw new Error('a call answered false');
        results++;
      }
      off += 4 + length;
    }
    pending = buf.subarray(off);
    if (results) onResult(results);
  });
}

function run(host, hook, calls, window) {
  const payload = Buffer.alloc(32, 7);
  const json = { hook, opCode: 10, sender: 1, targetPlayer: 0, targetGroup: -1, reliable: false };
  let sent = 0;
  let answered = 0;
  return new Promise((resolve) => {
    const pump = () => {
      const batch = [];
      while (sent < calls && sent - answered < window) batch.push(encodeFrame(2, (sent++ % 0xffffffff) + 1, json, payload));
      if (batch.length) host.toHost.write(Buffer.concat(batch));
    };
    const started = process.hrtime.bigint();
    counter(host, (n) => {
      answered += n;
      if (answered >= calls) resolve(calls / (Number(process.hrtime.bigint() - started) / 1e9));
      else if (sent - answered <= window / 2) pump();
    });
    pump();
  });
}

const fmt = (n) => `${Math.round(n).toLocaleString('en-US').padStart(9)} round trips/s`;

async function main() {
  const host = new Host('bench.js');
  const ready = await host.start();
  if (ready.name !== 'ready') throw new Error(JSON.stringify(ready.json));
  await run(host, 'onSendToGroup', 20000, WINDOW); // warm-up
  const burst = await run(host, 'onSendToGroup', CALLS, CALLS);
  const windowed = await run(host, 'onSendToGroup', CALLS, WINDOW);
  const asyncHook = await run(host, 'onSendToPlayer', CALLS, WINDOW);
  const serial = await run(host, 'onSendToGroup', Math.min(CALLS, 20000), 1);
  console.log(`node ${process.version}, ${CALLS} calls of 32-byte messages`);
  const line = (label, value) => console.log(`${label.padEnd(52)}${fmt(value)}`);
  line('burst  onSendToGroup  (sync hook, all at once)', burst);
  line(`window onSendToGroup  (sync hook, ${WINDOW} in flight)`, windowed);
  line(`window onSendToPlayer (async hook, ${WINDOW} in flight)`, asyncHook);
  line('serial onSendToGroup  (one call at a time)', serial);
  await host.close();
}

main().catch((err) => { console.error(err); process.exit(1); });
