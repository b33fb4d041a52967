#!/usr/bin/env node
// A fixed loop for instruction counts (valgrind callgrind), not a timer:
// N calls of one contender on one bench fixture. Run it with two values of
// N and divide the difference of the counts by the difference of the Ns.
//
//   valgrind --tool=callgrind node bench-loop.js CONTENDER FIXTURE N
//
// CONTENDER: `package` (wx.decryptPhone / wx.decryptUserInfo), `addon`
// (the native function alone, its record not read) or `demo` (the WXBizDataCrypt.js
// approach of bench.js). FIXTURE: `phone` or `user-info`.
'use strict';

const crypto = require('node:crypto');
const path = require('node:path');

const [contender, fixture, count] = process.argv.slice(2);
const N = Number(count);
const f = require(path.join(__dirname, '..', '..', 'crates', 'wxdecrypt', 'benches', 'fixtures', `${fixture}.json`));
const wx = require('.');
const native = require('./wxdecrypt.node');

const input = { sessionKey: f.session_key, iv: f.iv, encryptedData: f.encrypted_data, appid: f.appid, now: f.now };

function demo() {
  const decipher = crypto.createDecipheriv('aes-128-cbc', Buffer.from(f.session_key, 'base64'), Buffer.from(f.iv, 'base64'));
  decipher.setAutoPadding(true);
  const plain = Buffer.concat([decipher.update(Buffer.from(f.encrypted_data, 'base64')), decipher.final()]);
  const value = JSON.parse(plain.toString('utf8'));
  if (!value.watermark || value.watermark.appid !== f.appid) throw new Error('Illegal Buffer');
  return value;
}

const contenders = {
  package: fixture === 'phone' ? () => wx.decryptPhone(input) : () => wx.decryptUserInfo(input),
  addon: fixture === 'phone'
    ? () => native.decryptPhone(f.session_key, f.iv, f.encrypted_data, f.appid, f.now)
    : () => native.decryptUserInfo(f.session_key, f.iv, f.encrypted_data, f.appid, f.now),
  demo,
};
const fn = contenders[contender];
if (!fn || !Number.isSafeInteger(N)) {
  console.error('usage: node bench-loop.js package|addon|demo phone|user-info N');
  process.exit(2);
}
for (let i = 0; i < N; i++) fn();
