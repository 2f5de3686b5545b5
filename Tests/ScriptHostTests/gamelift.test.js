'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Host } = require('./driver');

const SCRIPT = 'gamelift/game.js';
const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

function msg(opCode, sender, extra = {}) {
  return { opCode, sender, targetPlayer: 0, targetGroup: 0, reliable: false, ...extra };
}

test('GameLift script: start, ready report and the start-up callbacks', async (t) => {
  const host = new Host(SCRIPT);
  t.after(() => host.close());
  const ready = await host.start();
  assert.equal(ready.name, 'ready');
  assert.deepEqual(ready.json, {
    kind: 'gamelift',
    hooks: ['onPlayerConnect', 'onPlayerJoinGroup', 'onPlayerLeaveGroup', 'onSendToPlayer', 'onSendToGroup', 'onHealthCheck'],
    notify: ['onPlayerAccepted', 'onPlayerDisconnect', 'onMessage', 'onProcessTerminate'],
    configuration: { maxPlayers: 8, pingIntervalTime: 1000 },
    opCodes: [],
  });
  const logs = host.logs();
  assert.match(logs[0], /^init \{ serverId: -1, allPlayers: -1, packetPb: 'function' \}$/);
  assert.equal(logs[1], 'onProcessStarted {"port":1900}');
  assert.equal(logs[2], 'onStartGameSession gsess-1 gsess-1');
});

test('GameLift script: players, decisions, routing hooks and rtSession methods', async (t) => {
  const host = new Host(SCRIPT);
  t.after(() => host.close());
  await host.start();

  // onPlayerConnect: connectMsg fields; refusal; a message sent during the hook.
  let mark = host.frames.length;
  assert.equal(await host.connect(1, 'alice', Buffer.from('hello')), true);
  await host.sync();
  assert.ok(host.logs('info').includes('onPlayerConnect 1 1/alice hello'));
  const early = host.sends(mark);
  assert.equal(early[0].json.opCode, 900);
  assert.deepEqual(early[0].json, { opCode: 900, sender: -1, targetPlayer: 1, targetGroup: 0, reliable: true });
  // onPlayerAccepted sees the player listed.
  assert.equal(early[1].json.opCode, 901);
  assert.deepEqual(JSON.parse(early[1].payload), { listed: true, inAllGroup: 1, who: '1/alice' });

  assert.equal(await host.connect(2, 'bob'), true);
  assert.equal(await host.call('onPlayerConnect', { player: { peerId: 3, playerSessionId: 'eve' } }, Buffer.from('deny')), false);

  // Group decisions, sync and async.
  assert.equal(await host.call('onPlayerJoinGroup', { group: 5, peerId: 1 }), true);
  host.notify('groupJoined', { group: 5, peerId: 1 });
  assert.equal(await host.call('onPlayerJoinGroup', { group: 13, peerId: 1 }), false);
  assert.equal(await host.call('onPlayerLeaveGroup', { group: 5, peerId: 1 }), true);
  assert.equal(await host.call('onPlayerLeaveGroup', { group: 14, peerId: 1 }), false);

  // Delivery decisions.
  assert.equal(await host.call('onSendToPlayer', msg(10, 1, { targetPlayer: 2 }), Buffer.from('x')), true);
  assert.equal(await host.call('onSendToPlayer', msg(66, 1, { targetPlayer: 2 }), Buffer.from('x')), false);
  assert.equal(await host.call('onSendToGroup', msg(10, 1, { targetGroup: -1 }), Buffer.from('ok')), true);
  assert.equal(await host.call('onSendToGroup', msg(10, 1, { targetGroup: -1 }), Buffer.from('blocked')), false);
  assert.equal(await host.call('onHealthCheck'), true);
  assert.equal(await host.call('onNoSuchHook'), false);

  // getPlayers().forEach((player, peerId) => …)
  mark = host.frames.length;
  host.notify('message', msg(1, 2, { targetPlayer: -1 }));
  await host.sync();
  assert.deepEqual(host.sends(mark).map((f) => [f.json.opCode, f.json.sender, f.json.targetPlayer, f.payload.toString()]),
    [[101, 2, 1, '1:alice'], [101, 2, 2, '2:bob']]);

  // Lenient arguments: bad ones are logged and ignored.
  mark = host.frames.length;
  host.notify('message', msg(2, 1, { targetPlayer: -1 }));
  await host.sync();
  assert.deepEqual(host.sends(mark).map((f) => [f.json, f.payload.toString()]), [
    [{ opCode: 102, sender: -1, targetPlayer: 1, targetGroup: 0, reliable: false }, 'hi'],
    [{ opCode: 105, sender: 2, targetPlayer: 0, targetGroup: 5, reliable: false }, 'group'],
  ]);
  const warnings = host.frames.slice(mark).filter((f) => f.name === 'log' && f.json.level === 'warn').map((f) => f.json.message);
  assert.equal(warnings.length, 3);
  assert.match(warnings[0], /sendMessage: 'not a message' is not a game message/);
  assert.match(warnings[1], /player 99 is not connected/);
  assert.match(warnings[2], /sendGroupMessage: \{ group: 5 \} is not a group id/);

  // Logger levels and objects.
  mark = host.frames.length;
  host.notify('message', msg(3, 1, { targetPlayer: -1 }), Buffer.from('AB'));
  await host.sync();
  const logged = host.frames.slice(mark).filter((f) => f.name === 'log').map((f) => [f.json.level, f.json.message.split('\n')[0]]);
  assert.deepEqual(logged, [
    ['debug', 'debug line'],
    ['info', '{ nested: { deep: [ 1, 2 ] } }'],
    ['warn', 'payload AB'],
    ['error', 'Error: an error object'],
    ['fatal', 'fatal line'],
    ['fatal', 'cxfatal line'],
  ]);

  // broadcastGroupMembershipUpdate
  mark = host.frames.length;
  host.notify('message', msg(4, 1, { targetPlayer: -1 }));
  await host.sync();
  assert.deepEqual(host.frames.slice(mark).filter((f) => f.name === 'broadcastMembership').map((f) => f.json),
    [{ group: 5, targetGroup: -1 }, { group: 7, targetGroup: 5 }]);

  // A hand-made message object with `opcode` and a string payload.
  mark = host.frames.length;
  host.notify('message', msg(8, 2, { targetPlayer: -1 }));
  await host.sync();
  assert.deepEqual(host.sends(mark).map((f) => [f.json.opCode, f.json.targetPlayer, f.json.reliable, f.payload.toString()]),
    [[108, 2, true, 'hand made']]);

  // Console output stays off the bridge.
  host.notify('message', msg(7, 1, { targetPlayer: -1 }));
  await host.sync();
  await tick();
  assert.match(host.stdout, /console output goes to stdout/);
  assert.match(host.stderr, /console errors go to stderr/);
  assert.ok(host.logs('info').includes('util 42'));

  // onHealthCheck can say unhealthy.
  host.notify('message', msg(6, 1, { targetPlayer: -1 }));
  assert.equal(await host.call('onHealthCheck'), false);

  // onPlayerDisconnect: still listed; then removed.
  mark = host.frames.length;
  host.disconnect(2);
  await host.sync();
  const bye = host.sends(mark);
  assert.deepEqual(bye[0].json, { opCode: 902, sender: -1, targetPlayer: 0, targetGroup: -1, reliable: true });
  assert.deepEqual(JSON.parse(bye[0].payload), { left: 2, stillListed: true });
  mark = host.frames.length;
  host.notify('message', msg(1, 1, { targetPlayer: -1 }));
  await host.sync();
  assert.deepEqual(host.sends(mark).map((f) => f.json.targetPlayer), [1]);

  // terminate: async onProcessTerminate, then `terminated`, then exit 0.
  host.notify('terminate');
  await host.waitFor('terminated');
  assert.ok(host.logs('info').includes('onProcessTerminate'));
  assert.deepEqual(await host.exited, { code: 0, signal: null });
});

test('GameLift script: answers to pipelined calls come back by id, possibly out of order', async (t) => {
  const host = new Host(SCRIPT);
  t.after(() => host.close());
  await host.start();
  await host.connect(1, 'alice');
  const slow = host.call('onSendToGroup', msg(10, 1, { targetGroup: -1 }), Buffer.from('ok')); // async
  const fast = host.call('onSendToPlayer', msg(10, 1, { targetPlayer: 1 })); // sync
  assert.deepEqual(await Promise.all([slow, fast]), [true, true]);
  const results = host.frames.filter((f) => f.name === 'result').map((f) => f.id);
  assert.ok(results.indexOf(3) < results.indexOf(2), `sync answer first: ${results}`);
});

test('GameLift script: processEnding() twice, then process.exit(0)', async (t) => {
  const host = new Host(SCRIPT);
  t.after(() => host.close());
  await host.start();
  host.notify('message', msg(5, 1, { targetPlayer: -1 }));
  const end = await host.waitFor('end');
  assert.deepEqual(end.json, { code: 0 });
  await tick(50);
  assert.ok(!host.logs().includes('ended once'), 'waits for the server to acknowledge');
  host.write(4, 0, {});
  const last = await host.waitFor((f) => f.name === 'end' && f !== end);
  assert.deepEqual(last.json, { code: 0 });
  const logs = host.logs('info');
  assert.ok(logs.includes('ended once') && logs.includes('ended twice'));
  assert.deepEqual(await host.exited, { code: 0, signal: null });
});

test('the bridge closing makes the host run onProcessTerminate and exit', async (t) => {
  const host = new Host(SCRIPT);
  t.after(() => host.close());
  await host.start();
  host.toHost.end();
  assert.deepEqual(await host.exited, { code: 0, signal: null });
  assert.ok(host.logs('info').includes('onProcessTerminate'));
});
