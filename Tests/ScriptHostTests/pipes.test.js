'use strict';
// The server may hand the host plain kernel pipes rather than the socket pairs Node's own
// child_process creates: run the bridge over FIFOs to cover that path.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, execFileSync } = require('child_process');
const { encodeFrame, FrameParser, HOST, FIXTURES } = require('./driver');

test('the bridge works over kernel pipes (FIFOs)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtctl-host-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const toHostPath = path.join(dir, 'to-host');
  const fromHostPath = path.join(dir, 'from-host');
  execFileSync('mkfifo', [toHostPath, fromHostPath]);
  // O_RDWR opens of a FIFO do not block; the child inherits these as fds 3 and 4.
  const childIn = fs.openSync(toHostPath, 'r+');
  const childOut = fs.openSync(fromHostPath, 'r+');
  const script = path.join(FIXTURES, 'gamelift/game.js');
  const child = spawn(process.execPath, [HOST], {
    stdio: ['ignore', 'ignore', 'pipe', childIn, childOut],
    env: { ...process.env, RTCTL_SCRIPT: script },
  });
  fs.closeSync(childIn);
  fs.closeSync(childOut);
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => child.kill('SIGKILL'));

  const writer = fs.createWriteStream(toHostPath);
  const reader = fs.createReadStream(fromHostPath);
  const frames = [];
  let wake = () => {};
  const parser = new FrameParser((f) => { frames.push(f); wake(); });
  reader.on('data', (chunk) => parser.push(chunk));
  const waitFor = (name) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name}: ${JSON.stringify(frames.map((f) => f.name))}`)), 5000);
    const check = () => {
      const f = frames.find((x) => x.name === name);
      if (f) { clearTimeout(timer); resolve(f); }
    };
    wake = check;
    check();
  });

  writer.write(encodeFrame(1, 0, { scriptPath: script, args: {}, gameSessionId: 'g', serverId: -1 }));
  assert.equal((await waitFor('ready')).json.kind, 'gamelift');
  writer.write(encodeFrame(2, 9, { hook: 'onPlayerConnect', player: { peerId: 1, playerSessionId: 'p' } }, Buffer.from('hi')));
  const result = await waitFor('result');
  assert.deepEqual([result.id, result.json.value], [9, true]);
  writer.write(encodeFrame(3, 0, { event: 'terminate' }));
  await waitFor('terminated');
  assert.equal(await exited, 0);
  writer.destroy();
  reader.destroy();
});

test('the host runs when its source is fed on standard input (node -)', async (t) => {
  const { Host } = require('./driver');
  const host = new Host('gamelift/game.js', { viaStdin: true, timeoutMs: 300 });
  t.after(() => host.close());
  assert.equal((await host.start()).json.kind, 'gamelift');
  assert.equal(await host.connect(1, 'alice'), true);
  // The watchdog thread works there too.
  const faulty = new Host('bad/faulty.js', { viaStdin: true, timeoutMs: 300 });
  t.after(() => faulty.close());
  await faulty.start();
  faulty.callNoWait('onSendToPlayer', { opCode: 99, sender: 2, targetPlayer: 2, targetGroup: 0, reliable: false });
  assert.equal((await faulty.waitFor('hung', { timeoutMs: 3000 })).json.blocked, true);
});
