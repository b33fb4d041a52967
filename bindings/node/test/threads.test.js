// The addon in worker_threads: several workers load it and decrypt at the
// same time as the main thread, and every answer is the exact one. A
// failure in a worker, and a rejection, must come back as what it is.
'use strict';

const assert = require('node:assert/strict');
const path = require('node:path');
const { test } = require('node:test');
const { Worker } = require('node:worker_threads');

const { DECRYPTION_MESSAGE, expectedPhone, expectedUserInfo, inputOf, realWorld, wx } = require('./helpers');

const WORKERS = 4;
const ROUNDS = 300;

// Each worker decrypts every typed real payload ROUNDS times, plus one
// stale-key attempt per round, and reports what it got.
const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const wx = require(workerData.pkg);
const results = new Set();
const errors = new Set();
for (let round = 0; round < workerData.rounds; round++) {
  for (const { kind, input } of workerData.cases) {
    const value = kind === 'phone' ? wx.decryptPhone(input) : wx.decryptUserInfo(input);
    results.add(kind + ' ' + JSON.stringify(value));
    try {
      wx.decryptPhone({ ...input, sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==' });
      errors.add('accepted a stale key');
    } catch (error) {
      errors.add((error instanceof wx.WxdecryptError) + ' ' + error.stage + ' ' + error.message);
    }
  }
}
parentPort.postMessage({ results: [...results], errors: [...errors] });
`;

test('worker_threads decrypt at once, each with the exact answers', async () => {
  const typed = realWorld.decrypts.filter((e) => e.kind === 'phone' || e.kind === 'user_info');
  const cases = typed.map((e) => ({ kind: e.kind === 'phone' ? 'phone' : 'user', input: inputOf(e) }));
  const expected = new Set(
    typed.map((e) => {
      const plain = JSON.parse(e.plaintext);
      return e.kind === 'phone'
        ? `phone ${JSON.stringify(expectedPhone(plain))}`
        : `user ${JSON.stringify(expectedUserInfo(plain))}`;
    }),
  );
  const pkg = path.resolve(__dirname, '..');
  const workers = Array.from({ length: WORKERS }, () =>
    new Promise((resolve, reject) => {
      const worker = new Worker(workerCode, { eval: true, workerData: { pkg, cases, rounds: ROUNDS } });
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
    }),
  );
  // The main thread decrypts meanwhile.
  for (let round = 0; round < ROUNDS; round++) {
    for (const { kind, input } of cases) {
      const value = kind === 'phone' ? wx.decryptPhone(input) : wx.decryptUserInfo(input);
      assert.ok(expected.has(`${kind} ${JSON.stringify(value)}`));
    }
  }
  const reports = await Promise.all(workers);
  assert.equal(reports.length, WORKERS);
  for (const report of reports) {
    assert.deepEqual(new Set(report.results), expected);
    assert.deepEqual(report.errors, [`true decryption ${DECRYPTION_MESSAGE}`]);
  }
});

test('a worker that loads the package after others have exited still works', async () => {
  for (let i = 0; i < 3; i++) {
    const entry = realWorld.decrypts.find((e) => e.id === 'gopay-phone');
    const answer = await new Promise((resolve, reject) => {
      const worker = new Worker(
        `const { parentPort, workerData } = require('node:worker_threads');
         const wx = require(workerData.pkg);
         parentPort.postMessage(JSON.stringify(wx.decryptPhone(workerData.input)));`,
        { eval: true, workerData: { pkg: path.resolve(__dirname, '..'), input: inputOf(entry) } },
      );
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    assert.equal(answer, JSON.stringify(expectedPhone(JSON.parse(entry.plaintext))));
  }
});
