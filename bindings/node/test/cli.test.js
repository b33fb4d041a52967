// The wxdecrypt CLI as the oracle: for every vector and response fixture,
// this package's JSON.stringify is the JSON the CLI prints (the same value;
// the CLI sorts members by name, this package keeps WeChat's order), and
// its error message is the CLI's. Needs the CLI binary (WXDECRYPT_CLI, or
// target/debug/wxdecrypt); ci.sh builds it and sets WXDECRYPT_CLI, so in CI
// these tests always run.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { cli, cliPath, generated, inputOf, realWorld, wx } = require('./helpers');

const skip = cliPath() ? false : 'the wxdecrypt CLI is not built (cargo build -p wxdecrypt-cli)';

function cliInput(entry) {
  return JSON.stringify({
    appid: entry.appid,
    session_key: entry.session_key,
    iv: entry.iv,
    encrypted_data: entry.encrypted_data,
  });
}

function ours(fn) {
  try {
    return { ok: true, text: JSON.stringify(fn()) };
  } catch (error) {
    assert.ok(error instanceof wx.WxdecryptError, error.stack);
    return { ok: false, text: error.message };
  }
}

function compare(label, command, entry, fn, now) {
  const expected = cli([command, '--input', '-', '--now', String(now)], cliInput(entry));
  const got = ours(fn);
  assert.equal(got.ok, expected.status === 0, `${label}: ${got.text} / ${expected.message}`);
  if (got.ok) {
    assert.deepEqual(JSON.parse(got.text), JSON.parse(expected.stdout), label);
  } else {
    assert.equal(got.text, expected.message, label);
  }
}

test('every typed vector prints what the CLI prints', { skip }, () => {
  let n = 0;
  for (const entry of [...realWorld.decrypts, ...generated.decrypts]) {
    if (entry.kind !== 'phone' && entry.kind !== 'user_info') continue;
    const input = inputOf(entry);
    if (entry.kind === 'phone') {
      compare(entry.id, 'phone', entry, () => wx.decryptPhone(input), entry.watermark_timestamp);
    } else {
      compare(entry.id, 'user-info', entry, () => wx.decryptUserInfo(input), entry.watermark_timestamp);
    }
    // A day later: the CLI's policy message, and ours.
    const late = { ...input, now: entry.watermark_timestamp + 86400 };
    compare(`${entry.id} late`, 'phone', entry, () => wx.decryptPhone(late), entry.watermark_timestamp + 86400);
    n += 1;
  }
  assert.ok(n >= 14, `${n} typed vectors`);
});

test('every generated reject has the CLI message', { skip }, () => {
  const baseline = generated.decrypts.find((e) => e.id === 'phone/baseline');
  for (const reject of generated.rejects) {
    const entry = { ...reject, appid: baseline.appid };
    const input = { ...inputOf(entry), now: baseline.watermark_timestamp };
    compare(reject.id, 'phone', entry, () => wx.decryptPhone(input), baseline.watermark_timestamp);
  }
});

test('input errors have the CLI message', { skip }, () => {
  const entry = realWorld.decrypts.find((e) => e.id === 'wxjava-issue-666-plus-as-space-phone');
  const damaged = { ...entry, encrypted_data: entry.encrypted_data_as_reported };
  const variants = [
    damaged,
    { ...entry, iv: entry.iv.slice(0, 20) },
    { ...entry, iv: Buffer.from(entry.iv).toString('base64') },
    { ...entry, session_key: entry.session_key.replace(/=/g, '') },
    { ...entry, encrypted_data: entry.encrypted_data.slice(0, 64) },
    { ...entry, encrypted_data: entry.encrypted_data.replace(/\+/g, '-') },
  ];
  for (const [i, v] of variants.entries()) {
    compare(`variant ${i}`, 'phone', v, () => wx.decryptPhone({ ...inputOf(v), now: entry.watermark_timestamp }), entry.watermark_timestamp);
  }
});

test('every response fixture gives what the CLI gives', { skip }, () => {
  const dir = path.join(__dirname, '..', '..', '..', 'crates', 'wxdecrypt', 'tests', 'vectors', 'responses');
  let n = 0;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('code2session'))) {
    const body = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const appid of [undefined, 'wx4f4bc4dec97d474b']) {
      const args = ['phone-response', '--input', '-', '--now', '1637744300'];
      if (appid) args.push('--appid', appid);
      const expected = cli(args, body);
      // The CLI reads an Authing body without checking a watermark.
      const kind = appid && JSON.parse(body).statusCode !== undefined ? 'authing' : undefined;
      const got = ours(() => wx.parsePhoneResponse(body, { appid, now: 1637744300, kind }));
      assert.equal(got.ok, expected.status === 0, `${file} ${appid}: ${got.text} / ${expected.message}`);
      if (got.ok) {
        assert.deepEqual(JSON.parse(got.text), JSON.parse(expected.stdout), `${file} ${appid}`);
      } else {
        assert.equal(got.text, expected.message, `${file} ${appid}`);
      }
      n += 1;
    }
  }
  assert.equal(n, 20);
});
