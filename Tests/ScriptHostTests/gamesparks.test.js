'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Host, HOST } = require('./driver');
const { RTData } = require(HOST);

const SCRIPT = 'gamesparks/rtScript/game.js';

function msg(opCode, sender, extra = {}) {
  return { opCode, sender, targetPlayer: 0, targetGroup: 0, reliable: false, ...extra };
}

const hex = (s) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('RTData wire format: hand-checked vectors', () => {
  const cases = [
    [(d) => d.setNumber(1, 7), '08 0e'],
    [(d) => d.setNumber(1, -1), '08 01'],
    [(d) => d.setNumber(2, 300), '10 d8 04'],
    [(d) => d.setString(2, 'hi'), '12 04 0a 02 68 69'],
    [(d) => d.setDouble(3, 1.5), '19 000000000000f83f'],
    [(d) => d.setFloat(4, 0.5), '25 0000003f'],
    [(d) => d.setFloatArray(5, [1, 2]), '2a 0a 12 08 0000803f 00000040'],
    [(d) => d.setData(6, new RTData().setNumber(1, 3)), '32 04 72 02 08 06'],
    [(d) => d.setNumber(127, 1), 'f8 07 02'],
    [(d) => d.setString(3, 'b').setNumber(1, 0), '08 00 1a 03 0a 01 62'],
  ];
  for (const [build, bytes] of cases) {
    const data = build(new RTData());
    assert.deepEqual(data.encode(), hex(bytes), bytes);
    const back = RTData.decode(hex(bytes));
    assert.deepEqual(back.toJSON(), data.toJSON(), bytes);
  }
});

test('RTData getters: null for empty slots and other types; setters convert', () => {
  const d = new RTData().setString(1, 200).setNumber(2, '12').setNumber(3, 1.25).setFloatArray(4, [1, 2, 3, 4]);
  assert.equal(d.getString(1), '200');
  assert.equal(d.getNumber(1), null);
  assert.equal(d.getNumber(2), 12);
  assert.equal(d.getNumber(3), 1.25, 'a fractional number survives (as a double)');
  assert.equal(d.getString(9), null);
  assert.equal(d.getData(2), null);
  assert.deepEqual(d.getFloatArray(4), [1, 2, 3, 4]);
  assert.equal(d.getString(0), null);
  assert.equal(new RTData().setString(0, 'x').setString(128, 'y').toString(), '{}', 'bad slots are ignored');
  const big = RTData.decode(new RTData().setNumber(1, -(2 ** 40)).encode());
  assert.equal(big.getNumber(1), -(2 ** 40));
  // A payload that is not RTData: decode throws, packet.getData() gives an empty RTData.
  assert.throws(() => RTData.decode(Buffer.from([0x0b])));
});

test('GameSparks script: classic script, packets, RTData, players, modules, timers, requests', async (t) => {
  const host = new Host(SCRIPT);
  t.after(() => host.close());
  const ready = await host.start();
  assert.equal(ready.name, 'ready', JSON.stringify(ready.json));
  assert.deepEqual(ready.json, {
    kind: 'gamesparks',
    hooks: ['onPacket'],
    notify: ['onPlayerConnect', 'onPlayerDisconnect', 'onSessionShutdown'],
    configuration: {},
    opCodes: [10, 11, 12, 13, 14, 15],
  });

  // The top-level timer: a packet to everyone from the server, unreliable.
  const loaded = await host.waitFor((f) => f.name === 'send' && f.json.opCode === 200);
  assert.deepEqual(loaded.json, { opCode: 200, sender: -1, targetPlayer: 0, targetGroup: -1, reliable: false });
  assert.equal(RTData.decode(loaded.payload).getString(1), 'loaded');

  // An interval ran three times and cleared itself.
  const ticked = await host.waitFor((f) => f.name === 'send' && f.json.opCode === 204);
  assert.deepEqual(RTData.decode(ticked.payload).toJSON(), { 1: 3 });

  // onPlayerConnect with newRequest() (never throws; async callback with an error response).
  let mark = host.frames.length;
  assert.equal(await host.connect(1, 'alice'), true);
  const viaRequest = await host.waitFor((f) => f.name === 'send' && f.json.opCode === 201, { from: mark });
  assert.deepEqual(viaRequest.json, { opCode: 201, sender: -1, targetPlayer: 1, targetGroup: 0, reliable: true });
  assert.deepEqual(RTData.decode(viaRequest.payload).toJSON(), { 1: 'error', 2: 1 });
  const direct = host.sends(mark).find((f) => f.json.opCode === 202);
  assert.deepEqual(RTData.decode(direct.payload).toJSON(), { 1: 1, 2: 'alice', 3: 1 });
  assert.ok(host.logs('warn').some((m) => /createLogEventRequest\(\)\.setEventKey\(\)\.setuserId\(\)\.send\(\): GameSparks platform requests are unavailable/.test(m)));
  assert.equal(await host.connect(2, 'bob'), true);

  // onPacket decisions: forward, cancel, no handler.
  assert.equal(await host.call('onPacket', msg(10, 1, { targetPlayer: 2 })), true);
  assert.equal(await host.call('onPacket', msg(11, 1, { targetPlayer: 2 })), false);
  assert.equal(await host.call('onPacket', msg(99, 1, { targetPlayer: 2 })), true);

  // RTData in, RTData out.
  mark = host.frames.length;
  const data = new RTData().setNumber(1, 21).setString(2, 'hey').setDouble(3, 2.5).setFloat(4, 0.25)
    .setFloatArray(5, [1, 2, 3]).setData(6, new RTData().setNumber(1, 41));
  assert.equal(await host.call('onPacket', msg(12, 2, { targetGroup: -1 }), data.encode()), false);
  const reply = host.sends(mark)[0];
  assert.deepEqual(reply.json, { opCode: 112, sender: -1, targetPlayer: 2, targetGroup: 0, reliable: true });
  assert.deepEqual(RTData.decode(reply.payload).toJSON(), {
    1: 42, 2: 'hey!', 3: { double: 2.5 }, 4: { float: 0.25 }, 5: { floatArray: [1, 2, 3] }, 6: { 1: 42 },
    7: '200', 8: 'null', 9: -123456789012,
  });

  // getTargetPlayers for the server, a player, a group, everyone; setSender; array targets.
  host.notify('groupJoined', { group: 5, peerId: 1 });
  host.notify('groupJoined', { group: 5, peerId: 2 });
  const targets = [];
  for (const extra of [{ targetPlayer: -1 }, { targetPlayer: 2 }, { targetGroup: 5 }, { targetGroup: -1 }]) {
    mark = host.frames.length;
    if (extra.targetPlayer === -1) {
      host.notify('message', msg(13, 1, extra));
      await host.sync();
    } else {
      assert.equal(await host.call('onPacket', msg(13, 1, extra)), true);
    }
    const sent = host.sends(mark);
    assert.deepEqual(sent.map((f) => [f.json.sender, f.json.targetPlayer, f.json.targetGroup]), [[1, 1, 0], [1, 2, 0]]);
    targets.push(RTData.decode(sent[0].payload).getString(1));
  }
  assert.deepEqual(targets, ['[]', '[2]', '[1,2]', '[]']);

  // Globals, numeric timer ids, modules from the three places, getPlayer, getSessionId.
  mark = host.frames.length;
  await host.call('onPacket', msg(14, 1, { targetPlayer: -1 }));
  await host.call('onPacket', msg(14, 1, { targetPlayer: -1 }));
  const info = host.sends(mark).map((f) => RTData.decode(f.payload).toJSON());
  assert.deepEqual(info[1], {
    1: 2, 2: 1, 3: 1, 4: 'Scoring,Words,Words,Beside,true', 5: 'gsess-1', 6: 1, 7: 'alice#1', 8: 1,
  });

  // A handler registered later is announced.
  await host.call('onPacket', msg(15, 1, { targetPlayer: 2 }));
  const update = await host.waitFor('opCodes');
  assert.deepEqual(update.json, { opCodes: [10, 11, 12, 13, 14, 15, 16] });

  // onPlayerDisconnect, then shutdown.
  mark = host.frames.length;
  host.disconnect(2);
  await host.sync();
  const bye = host.sends(mark)[0];
  assert.deepEqual(RTData.decode(bye.payload).toJSON(), { 1: 2 });
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.deepEqual(host.logs('error'), [], 'cleared timers never ran');
  assert.equal(host.sends().filter((f) => f.json.opCode === 204).length, 1);
  host.notify('terminate');
  await host.waitFor('terminated');
  assert.ok(host.logs('info').includes('shutdown after 2 bumps'));
  assert.deepEqual(await host.exited, { code: 0, signal: null });
});

test('GameSparks packet that is not RTData: getData() is empty, the handler still runs', async (t) => {
  const host = new Host(SCRIPT);
  t.after(() => host.close());
  await host.start();
  await host.connect(1, 'alice');
  const mark = host.frames.length;
  assert.equal(await host.call('onPacket', msg(12, 1, { targetPlayer: 1 }), Buffer.from([0xff, 0xff])), false);
  const reply = host.sends(mark).find((f) => f.json.opCode === 112);
  const back = RTData.decode(reply.payload);
  assert.equal(back.getNumber(1), 0);
  assert.equal(back.getString(2), 'null!');
});
