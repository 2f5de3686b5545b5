'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { Host, FIXTURES, HOST } = require('./driver');
const { buildPacketPb, detectKind } = require(HOST);

const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

function msg(opCode, sender, extra = {}) {
  return { opCode, sender, targetPlayer: 0, targetGroup: 0, reliable: false, ...extra };
}

async function startFailure(script) {
  const host = new Host(`bad/${script}`);
  try {
    const frame = await host.start();
    assert.equal(frame.name, 'failed', `${script}: ${JSON.stringify(frame.json)}`);
    return frame.json;
  } finally {
    await host.close();
  }
}

test('start failures are reported with a message and a stack', async () => {
  const syntax = await startFailure('syntax-error.js');
  assert.match(syntax.message, /^the script failed to load: SyntaxError: Unexpected token '?;'? \(.*syntax-error\.js:3\)$/);
  assert.match(syntax.stack, /syntax-error\.js:3/);

  const gsSyntax = await startFailure('gamesparks-syntax-error.js');
  assert.match(gsSyntax.message, /SyntaxError: .*gamesparks-syntax-error\.js:2/);

  assert.match((await startFailure('missing-init.js')).message, /exports\.ssExports has no init function/);
  assert.match((await startFailure('neither.js')).message, /neither a GameLift Realtime script .* nor a GameSparks/);
  assert.match((await startFailure('not-ready.js')).message, /onProcessStarted returned false/);

  const threw = await startFailure('init-throws.js');
  assert.equal(threw.message, 'init threw: TypeError: broken init');
  assert.match(threw.stack, /init-throws\.js:2/);
});

test('a missing module names the module and where to install it', async () => {
  const dir = path.join(FIXTURES, 'bad');
  const missing = await startFailure('missing-module.js');
  assert.equal(missing.message, `cannot find module 'aws-sdk' required by ${path.join(dir, 'missing-module.js')}: ` +
    `it is not installed; run \`npm install aws-sdk\` in ${dir} (beside the script)`);
  assert.match((await startFailure('missing-file.js')).message, /cannot find module '\.\/no-such-helper' .*: no such file/);
  assert.match((await startFailure('gamesparks-missing-module.js')).message,
    /cannot find module 'NoSuchModule' .*put NoSuchModule\.js in .*rtModules.*npm install NoSuchModule/);
});

test('a start-up callback that never settles is reported hung', async (t) => {
  const host = new Host('bad/init-hangs.js', { timeoutMs: 200 });
  t.after(() => host.close());
  host.write(1, 0, { scriptPath: host.script, args: {}, gameSessionId: 'g', serverId: -1 });
  assert.deepEqual((await host.waitFor('hung')).json, { hook: 'init' });
});

test('a script starting with a byte-order mark loads (GameLift and GameSparks)', async (t) => {
  for (const script of ['bad/bom.js', 'bad/gamesparks-bom.js']) {
    const host = new Host(script);
    t.after(() => host.close());
    const ready = await host.start();
    assert.equal(ready.name, 'ready', JSON.stringify(ready.json));
  }
});

test('throwing and rejecting hooks fail closed and are logged with their stack', async (t) => {
  const host = new Host('bad/faulty.js');
  t.after(() => host.close());
  await host.start();
  assert.equal(await host.call('onPlayerConnect', { player: { peerId: 1, playerSessionId: 'a' } }), false);
  assert.equal(await host.call('onPlayerConnect', { player: { peerId: 2, playerSessionId: 'b' } }), true);
  assert.equal(await host.call('onPlayerJoinGroup', { group: 4, peerId: 2 }), false);
  assert.equal(await host.call('onPlayerLeaveGroup', { group: 4, peerId: 2 }), false);
  const errors = host.logs('error');
  assert.match(errors[0], /^onPlayerConnect threw: Error: connect exploded\n\s+at .*faulty\.js:10/);
  assert.match(errors[1], /^onPlayerJoinGroup rejected: RangeError: no group 4\n\s+at .*faulty\.js/);
  assert.equal(errors[2], "onPlayerLeaveGroup rejected: 'a rejection that is not an Error'");
});

test('errors in timers and unhandled rejections are logged and survived; bad arguments are ignored', async (t) => {
  const host = new Host('bad/faulty.js');
  t.after(() => host.close());
  await host.start();
  host.notify('playerAdded', { player: { peerId: 2, playerSessionId: 'b' } });
  for (const op of [1, 2, 3, 5]) host.notify('message', msg(op, 2, { targetPlayer: -1 }));
  await tick(50);
  assert.equal(await host.call('onPlayerConnect', { player: { peerId: 3, playerSessionId: 'c' } }), true, 'still answering');
  const errors = host.logs('error');
  assert.ok(errors.some((m) => /^uncaught exception: Error: thrown inside a timer\n\s+at .*faulty\.js/.test(m)), errors.join('\n'));
  assert.ok(errors.some((m) => /^unhandled promise rejection: Error: detached async failure\n\s+at /.test(m)));
  assert.ok(errors.some((m) => /^unhandled promise rejection: Error: plain unhandled rejection/.test(m)));
  const warnings = host.logs('warn');
  assert.ok(warnings.some((m) => /sendMessage: 'abc' is not a peer id; ignored/.test(m)));
  assert.ok(warnings.some((m) => /sendReliableGroupMessage: 12 is not a game message/.test(m)));
  assert.ok(warnings.some((m) => /broadcastGroupMembershipUpdate: bad group ids null, -1/.test(m)));
  assert.equal(host.sends().length, 0);
});

test('process.exit(3) is reported as end {code: 3} and the host exits 3', async (t) => {
  const host = new Host('bad/faulty.js');
  t.after(() => host.close());
  await host.start();
  host.notify('message', msg(4, 1, { targetPlayer: -1 }));
  assert.deepEqual((await host.waitFor('end')).json, { code: 3 });
  assert.deepEqual(await host.exited, { code: 3, signal: null });
});

test('an async hook that never settles is reported hung with its call id, and gets no answer', async (t) => {
  const host = new Host('bad/faulty.js', { timeoutMs: 200 });
  t.after(() => host.close());
  await host.start();
  const id = host.callNoWait('onSendToGroup', msg(1, 2, { targetGroup: -1 }));
  const hung = await host.waitFor('hung');
  assert.deepEqual(hung.json, { hook: 'onSendToGroup', id });
  assert.equal(await host.call('onSendToPlayer', msg(1, 2, { targetPlayer: 2 })), true, 'the host still runs');
  assert.ok(!host.frames.some((f) => f.name === 'result' && f.id === id));
});

test('a synchronous infinite loop in a hook: the watchdog reports it hung (blocked)', async (t) => {
  const host = new Host('bad/faulty.js', { timeoutMs: 300 });
  t.after(() => host.close());
  await host.start();
  const started = Date.now();
  host.callNoWait('onSendToPlayer', msg(99, 2, { targetPlayer: 2 }));
  const hung = await host.waitFor('hung', { timeoutMs: 3000 });
  assert.equal(hung.json.hook, 'onSendToPlayer');
  assert.equal(hung.json.blocked, true);
  assert.ok(Date.now() - started >= 250, 'not before the timeout');
  // The JavaScript thread is stuck for good: no answer ever comes; the server must kill the host.
  host.callNoWait('onSendToPlayer', msg(1, 2, { targetPlayer: 2 }));
  await tick(200);
  assert.equal(host.frames.filter((f) => f.name === 'result').length, 0);
  host.child.kill('SIGKILL');
  assert.equal((await host.exited).signal, 'SIGKILL');
});

test('a synchronous loop outside any hook (in a timer) is reported too', async (t) => {
  const host = new Host('bad/faulty.js', { timeoutMs: 300 });
  t.after(() => host.close());
  await host.start();
  host.notify('message', msg(6, 2, { targetPlayer: -1 }));
  const hung = await host.waitFor('hung', { timeoutMs: 3000 });
  assert.match(hung.json.hook, /outside a callback/);
  assert.equal(hung.json.blocked, true);
});

test('a host blocked writing to a server that does not read is not reported hung', async (t) => {
  const host = new Host('bad/faulty.js', { timeoutMs: 300 });
  t.after(() => host.close());
  await host.start();
  host.notify('playerAdded', { player: { peerId: 2, playerSessionId: 'b' } });
  await host.sync();
  host.fromHost.pause();
  host.notify('message', msg(7, 2, { targetPlayer: -1 }));
  await tick(900);
  host.fromHost.resume();
  await host.waitFor((f) => f.name === 'send' && host.sends().length === 4000, { timeoutMs: 10000 });
  await host.sync();
  await tick(400);
  assert.equal(host.frames.filter((f) => f.name === 'hung').length, 0);
});

test('kind detection', () => {
  assert.equal(detectKind('exports.ssExports = { init() {} };'), 'gamelift');
  assert.equal(detectKind('// uses RTSession\nexports.ssExports = {};'), 'gamelift');
  assert.equal(detectKind('RTSession.onPacket(1, f);'), 'gamesparks');
  assert.equal(detectKind('/* ssExports */ var url = "http://x"; RTSession.getLogger();'), 'gamesparks');
  assert.equal(detectKind('module.exports = require("./impl");'), 'gamelift');
  assert.equal(detectKind('var s = "RTSession"; exports.ssExports = {}'), 'gamelift');
});

test('Packet_pb: the provided Packet messages round-trip with the PROTOCOL.md field numbers', () => {
  const pb = buildPacketPb();
  const p = new pb.Packet();
  p.setOpcode(-13);
  p.setSender(-1);
  p.setTargetplayer(3);
  p.setPayload(new Uint8Array([1, 2]));
  const update = new pb.GroupMembershipUpdate();
  update.setGroup(5);
  update.setPlayersList([1, 2, 300]);
  p.setGroupMembershipUpdate(update);
  const bytes = Buffer.from(p.serializeBinary());
  // opCode sint32 -13 -> zigzag 25; sender int32 -1 -> ten bytes; packed players.
  assert.equal(bytes.toString('hex'),
    '0819' + '1803' + '28ffffffffffffffffff01' + '7a020102' + 'da0208' + '0805' + '1204' + '0102ac02');
  const back = pb.Packet.deserializeBinary(bytes);
  assert.equal(back.getOpCode(), -13);
  assert.equal(back.getSender(), -1);
  assert.deepEqual(back.getGroupMembershipUpdate().getPlayersList(), [1, 2, 300]);
  assert.equal(back.hasLogin(), false);
});
