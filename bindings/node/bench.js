#!/usr/bin/env node
// Benchmark (not a test, not run in CI): this package against the usual
// Node approach of WeChat's WXBizDataCrypt.js demo (base64 with Buffer,
// createDecipheriv('aes-128-cbc') with auto padding, JSON.parse, an appid
// comparison), on the bench fixtures of crates/wxdecrypt/benches/fixtures,
// the full path from the three base64 strings each time. Both run in the
// same process, interleaved in rounds (the order alternating), and the
// medians of the rounds are reported with their ratio.
//
// With --rust, each round also runs the Rust `throughput` example
// (crates/measure) on the same fixture for the same count, so the call
// overhead of Node over the Rust path is measured in the same run. Build
// it first: `cargo build --release -p wxdecrypt-measure --example throughput`.
//
//   node bench.js [--rounds R] [--n N] [--rust]
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const wx = require('.');

const root = path.resolve(__dirname, '..', '..');
const fixtures = path.join(root, 'crates', 'wxdecrypt', 'benches', 'fixtures');

function argument(name, fallback) {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}
const ROUNDS = argument('--rounds', 15);
const N = argument('--n', 20000);
const RUST = process.argv.includes('--rust');

// The demo's approach, written for this benchmark: what most Node servers
// run today. One generic error for every failure.
function demoDecrypt(sessionKey, iv, encryptedData, appid) {
  const key = Buffer.from(sessionKey, 'base64');
  const ivBytes = Buffer.from(iv, 'base64');
  const data = Buffer.from(encryptedData, 'base64');
  let value;
  try {
    const decipher = crypto.createDecipheriv('aes-128-cbc', key, ivBytes);
    decipher.setAutoPadding(true);
    const plain = Buffer.concat([decipher.update(data), decipher.final()]);
    value = JSON.parse(plain.toString('utf8'));
  } catch {
    throw new Error('Illegal Buffer');
  }
  if (!value.watermark || value.watermark.appid !== appid) throw new Error('Illegal Buffer');
  return value;
}

const cases = [
  { file: 'phone.json', kind: 'phone', call: wx.decryptPhone, rustKind: 'phone' },
  { file: 'user-info.json', kind: 'user-info', call: wx.decryptUserInfo, rustKind: 'user-info' },
  { file: 'werun-31.json', kind: 'werun (raw)', call: wx.decryptRaw, rustKind: null },
];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ns per call over N calls.
function time(fn) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn();
  return Number(process.hrtime.bigint() - start) / N;
}

const throughput = path.join(root, 'target', 'release', 'examples', 'throughput');
function rustNs(fixturePath, kind) {
  const out = execFileSync(throughput, [fixturePath, String(N), kind], { encoding: 'utf8' });
  const match = /([0-9.]+) ns\/op/.exec(out);
  if (!match) throw new Error(`unexpected throughput output: ${out}`);
  return Number(match[1]);
}

console.log(`node ${process.version}, ${ROUNDS} rounds of ${N} calls, medians in ns per call`);
for (const c of cases) {
  const fixturePath = path.join(fixtures, c.file);
  const f = JSON.parse(fs.readFileSync(fixturePath, 'utf8'));
  const input = {
    sessionKey: f.session_key,
    iv: f.iv,
    encryptedData: f.encrypted_data,
    appid: f.appid,
    now: f.now,
  };
  const ours = () => c.call(input);
  const demo = () => demoDecrypt(input.sessionKey, input.iv, input.encryptedData, input.appid);
  // Same answer first, and a warm-up.
  const a = JSON.stringify(ours());
  const b = demo();
  if (b.watermark.appid !== f.appid) throw new Error(`${c.file}: the demo approach failed`);
  if (!a.includes(f.appid)) throw new Error(`${c.file}: wxdecrypt failed`);
  time(ours);
  time(demo);

  const oursNs = [];
  const demoNs = [];
  const rust = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      oursNs.push(time(ours));
      demoNs.push(time(demo));
    } else {
      demoNs.push(time(demo));
      oursNs.push(time(ours));
    }
    if (RUST && c.rustKind) rust.push(rustNs(fixturePath, c.rustKind));
  }
  const mo = median(oursNs);
  const md = median(demoNs);
  // Also the median of the rounds' own ratios: each round's pair ran back
  // to back, so a burst of load on the machine touches both.
  const mr = median(oursNs.map((ns, r) => demoNs[r] / ns));
  let line =
    `${c.kind.padEnd(12)} wxdecrypt ${mo.toFixed(0)} ns, demo approach ${md.toFixed(0)} ns: ` +
    `${(md / mo).toFixed(2)}x faster (median of round ratios ${mr.toFixed(2)}x)`;
  if (rust.length) {
    const rustNsMedian = median(rust);
    line +=
      `; Rust path ${rustNsMedian.toFixed(0)} ns, Node call overhead ` +
      `${(mo - rustNsMedian).toFixed(0)} ns (${(mo / rustNsMedian).toFixed(2)}x the Rust path)`;
  }
  console.log(line);
}
