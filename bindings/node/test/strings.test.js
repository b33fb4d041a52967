// How the decrypt functions read their string arguments (bindings/node/src
// raw.rs and decrypt.rs): each with one N-API UTF-8 read into a buffer
// (on the stack for the key, one per thread for the public strings), and
// into a string of its own when it does not fit. Whatever V8's
// representation of a string (one-byte or two-byte, flat, cons or sliced)
// the text must be the same; a character beyond ASCII must be refused
// exactly as the library refuses it (the CLI is the oracle), never
// narrowed to a byte that would make the input valid; and a string that
// does not fit must still be read whole.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { test } = require('node:test');

const { assertRejects, cli, cliPath, expectedPhone, inputOf, realWorld, wx } = require('./helpers');

const phoneEntry = realWorld.decrypts.find((e) => e.id === 'gopay-phone');
const good = inputOf(phoneEntry);
const expected = expectedPhone(JSON.parse(phoneEntry.plaintext));
const FIELDS = ['sessionKey', 'iv', 'encryptedData', 'appid'];

// The same text, stored by V8 as a two-byte string: a slice (of 13 units
// or more, so V8 makes a sliced string) of a two-byte parent.
const twoByte = (text) => `\u0141${text}`.slice(1);
// The same text as a cons string (both halves joined lazily).
const cons = (text) => text.slice(0, text.length >> 1) + text.slice(text.length >> 1);
// The same text as a sliced string of a longer one-byte parent.
const sliced = (text) => `${'#'.repeat(16)}${text}`.slice(16);

test('strings V8 stores as two-byte, cons or sliced decrypt to the same answer', () => {
  for (const [name, form] of [['two-byte', twoByte], ['cons', cons], ['sliced', sliced]]) {
    for (const field of FIELDS) {
      const value = form(good[field]);
      assert.equal(value, good[field]);
      const phone = wx.decryptPhone({ ...good, [field]: value });
      assert.deepEqual(JSON.parse(JSON.stringify(phone)), expected, `${name} ${field}`);
    }
    const all = Object.fromEntries(FIELDS.map((field) => [field, form(good[field])]));
    const phone = wx.decryptPhone({ ...good, ...all });
    assert.deepEqual(JSON.parse(JSON.stringify(phone)), expected, `${name}, every field`);
  }
});

// One character replaced by the character 0x100 above it: a read that
// kept only the low byte of each UTF-16 unit (a Latin-1 read of a two-byte
// string) would see the original text and accept it.
function shifted(text, at) {
  return text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) + 0x100) + text.slice(at + 1);
}

test('a character beyond Latin-1 in any field is refused as the library refuses it', { skip: cliPath() ? false : 'the wxdecrypt CLI is not built' }, () => {
  for (const field of FIELDS) {
    for (const at of [0, good[field].length - 1]) {
      const input = { ...good, [field]: shifted(good[field], at) };
      const stage = field === 'appid' ? 'policy' : 'input';
      const error = assertRejects(() => wx.decryptPhone(input), stage, undefined, `${field} at ${at}`);
      const oracle = cli(
        ['phone', '--input', '-', '--now', String(good.now)],
        JSON.stringify({
          appid: input.appid,
          session_key: input.sessionKey,
          iv: input.iv,
          encrypted_data: input.encryptedData,
        }),
      );
      assert.notEqual(oracle.status, 0, `${field} at ${at}: the CLI accepted it`);
      assert.equal(error.message, oracle.message, `${field} at ${at}`);
      // And in a two-byte string of its own, whatever else is around it.
      const again = assertRejects(
        () => wx.decryptPhone({ ...input, [field]: twoByte(input[field]) }),
        stage,
        undefined,
        `${field} at ${at}, two-byte`,
      );
      assert.equal(again.message, error.message);
    }
  }
});

// A phone payload of our own, encrypted here with AES-128-CBC and PKCS#7,
// so that its appid and its size can be chosen.
function payload(appid, padding) {
  const key = crypto.randomBytes(16);
  const iv = crypto.randomBytes(16);
  const plain =
    `{"phoneNumber":"13800138000","purePhoneNumber":"13800138000","countryCode":"86",` +
    `"watermark":{"timestamp":${good.now},"appid":"${appid}"}${' '.repeat(padding)}}`;
  const cipher = crypto.createCipheriv('aes-128-cbc', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return {
    sessionKey: key.toString('base64'),
    iv: iv.toString('base64'),
    encryptedData: data.toString('base64'),
    appid,
    now: good.now,
  };
}

test('public strings that do not fit in the read buffer are read whole', () => {
  // encryptedData near the library's limit leaves too little of the
  // per-thread buffer for an appid of 12,000 characters after it.
  const input = payload(`wx${'a'.repeat(12000)}`, 33000);
  assert.ok(input.encryptedData.length > 60000 && input.encryptedData.length <= 65536);
  const phone = wx.decryptPhone(input);
  assert.equal(phone.purePhoneNumber, '13800138000');
  assert.deepEqual(phone.watermark, { appid: input.appid, timestamp: good.now });
  // The appid read whole: its last character counts.
  const other = `${input.appid.slice(0, -1)}b`;
  assertRejects(() => wx.decryptPhone({ ...input, appid: other }), 'policy', undefined, 'other appid');
  // The same with the appid as a two-byte string, and as a cons string.
  assert.equal(wx.decryptPhone({ ...input, appid: twoByte(input.appid) }).purePhoneNumber, '13800138000');
  assert.equal(wx.decryptPhone({ ...input, appid: cons(input.appid) }).purePhoneNumber, '13800138000');
  // A short payload with the same long appid: everything fits.
  const small = payload(input.appid, 0);
  assert.deepEqual(wx.decryptPhone(small).watermark, { appid: input.appid, timestamp: good.now });
});

test('a session key or iv too long for its buffer is read whole, for the exact refusal', () => {
  // Text over the 256-byte limit: the length in the message is the whole
  // text's, in UTF-8 bytes, as the library counts it.
  for (const [field, name] of [['sessionKey', 'session_key'], ['iv', 'iv']]) {
    for (const text of ['A'.repeat(300), 'A'.repeat(1 << 20), 'é'.repeat(200), twoByte('B'.repeat(5000))]) {
      const bytes = Buffer.byteLength(text, 'utf8');
      assertRejects(
        () => wx.decryptPhone({ ...good, [field]: text }),
        'input',
        `${name} is too large: ${bytes} base64 characters, the limit is 256`,
        `${field} of ${text.length}`,
      );
    }
    // At the limit, still read in full (and refused for what it is).
    const error = assertRejects(() => wx.decryptPhone({ ...good, [field]: 'A'.repeat(256) }), 'input', undefined, `${field} of 256`);
    assert.ok(!error.message.includes('too large'), error.message);
  }
});

// A payload of our own around any JSON text (for decryptRaw).
function rawPayload(members) {
  const key = crypto.randomBytes(16);
  const iv = crypto.randomBytes(16);
  const plain = `{${members},"watermark":{"timestamp":${good.now},"appid":"${good.appid}"}}`;
  const cipher = crypto.createCipheriv('aes-128-cbc', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return {
    sessionKey: key.toString('base64'),
    iv: iv.toString('base64'),
    encryptedData: data.toString('base64'),
    appid: good.appid,
    now: good.now,
  };
}

test('results of every length cross whole, ASCII or not', () => {
  // Texts whose lengths take one header unit, two units of 7 bits, or five
  // (src/lib.rs, Record), as one-byte records and as UTF-16 ones.
  // (Pairs only whole, since the library refuses a lone surrogate; and
  // only texts whose payload the library accepts.)
  let checked = 0;
  for (const length of [0, 1, 2, 122, 123, 124, 16383, 16384, 20000]) {
    for (const unit of ['a', '\u00e9', '\u718a', '\ud83d\udc3c']) {
      if (length % unit.length !== 0) continue;
      const text = unit.repeat(length / unit.length);
      if (Buffer.byteLength(text, 'utf8') > 45000) continue;
      checked += 1;
      const raw = wx.decryptRaw(rawPayload(`"text":${JSON.stringify(text)},"n":9007199254740991`));
      assert.equal(raw.text, text, `${length} of ${JSON.stringify(unit)}`);
      assert.equal(raw.n, 9007199254740991);
    }
  }
  assert.equal(checked, 30);
});
