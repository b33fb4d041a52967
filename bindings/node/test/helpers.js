// Shared by the test files: the repository's vectors and response fixtures,
// the shapes the CLI prints for them, the library's one decryption message,
// and the CLI itself as an oracle for messages. (Loaded by `node --test` as
// a file of its own too; it defines no tests.)
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const wx = require('..');

const root = path.resolve(__dirname, '..', '..', '..');
const vectors = path.join(root, 'crates', 'wxdecrypt', 'tests', 'vectors');

function readJson(...parts) {
  return JSON.parse(fs.readFileSync(path.join(...parts), 'utf8'));
}

const realWorld = readJson(vectors, 'real-world.json');
const generated = readJson(vectors, 'generated.json');
const official = readJson(vectors, 'official-sample.json');
// What the CLI appends to the library's decryption message (crates/wxdecrypt-cli).
const DIAGNOSE_HINT =
  '; `wxdecrypt diagnose` with the same input tells these causes apart' +
  ' (a stale session_key, data of another kind, altered data)';

function response(name) {
  return fs.readFileSync(path.join(vectors, 'responses', name), 'utf8');
}

/** The library's message for every failure after the cipher (src/error.rs). */
const DECRYPTION_MESSAGE =
  'decryption failed: the data is not a valid payload under this session_key and iv ' +
  '(most often the session_key was replaced by a later wx.login; ' +
  'otherwise the iv belongs to other data or the data was altered)';

/** The decrypt options of a vector entry, checked at its own watermark time. */
function inputOf(entry, extra = {}) {
  return {
    sessionKey: entry.session_key,
    iv: entry.iv,
    encryptedData: entry.encrypted_data,
    appid: entry.appid,
    now: entry.watermark_timestamp,
    ...extra,
  };
}

function watermarkOf(plain) {
  return plain.watermark ? { appid: plain.watermark.appid, timestamp: plain.watermark.timestamp } : null;
}

/** What `wxdecrypt phone` prints for this plaintext (crates/wxdecrypt-cli). */
function expectedPhone(plain) {
  return {
    phoneNumber: plain.phoneNumber,
    purePhoneNumber: plain.purePhoneNumber,
    countryCode: String(plain.countryCode).replace(/^\+/, ''),
    watermark: watermarkOf(plain),
  };
}

/** What `wxdecrypt user-info` prints for this plaintext, members in order. */
function expectedUserInfo(plain) {
  const out = {};
  if (plain.openId !== undefined) out.openId = plain.openId;
  out.nickName = plain.nickName;
  out.gender = plain.gender;
  for (const name of ['language', 'city', 'province', 'country', 'avatarUrl']) {
    out[name] = plain[name] === undefined ? '' : plain[name];
  }
  if (plain.unionId !== undefined) out.unionId = plain.unionId;
  out.watermark = watermarkOf(plain);
  return out;
}

/** Asserts that `fn` throws a WxdecryptError of `stage` (and `message`). */
function assertRejects(fn, stage, message, label) {
  let thrown = null;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown, `${label}: nothing was thrown`);
  assert.ok(thrown instanceof wx.WxdecryptError, `${label}: ${thrown && thrown.stack}`);
  assert.ok(thrown instanceof Error, label);
  assert.equal(thrown.name, 'WxdecryptError', label);
  assert.equal(thrown.stage, stage, `${label}: ${thrown.message}`);
  if (message !== undefined) assert.equal(thrown.message, message, label);
  return thrown;
}

// ----- The CLI as an oracle -----

/**
 * The wxdecrypt binary, when built: WXDECRYPT_CLI, else target/debug. CI
 * sets WXDECRYPT_CLI (bindings/node/ci.sh), so there the tests that use it
 * always run.
 */
function cliPath() {
  if (process.env.WXDECRYPT_CLI) {
    assert.ok(fs.existsSync(process.env.WXDECRYPT_CLI), 'WXDECRYPT_CLI names no file');
    return process.env.WXDECRYPT_CLI;
  }
  const candidate = path.join(root, 'target', 'debug', process.platform === 'win32' ? 'wxdecrypt.exe' : 'wxdecrypt');
  return fs.existsSync(candidate) ? candidate : null;
}

/** Runs the CLI with `stdin`: `{ status, stdout, message }`. */
function cli(args, stdin) {
  const run = spawnSync(cliPath(), args, { input: stdin, encoding: 'utf8' });
  // The CLI adds where to learn more to the one decryption message; the
  // library (and this package) say only the message.
  const message = run.stderr.trim().replace(/^wxdecrypt: /, '').replace(DIAGNOSE_HINT, '');
  return { status: run.status, stdout: run.stdout.trim(), message };
}

module.exports = {
  DECRYPTION_MESSAGE,
  assertRejects,
  cli,
  cliPath,
  expectedPhone,
  expectedUserInfo,
  generated,
  inputOf,
  official,
  realWorld,
  response,
  root,
  wx,
};
