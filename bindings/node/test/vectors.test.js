// Every vector of crates/wxdecrypt/tests/vectors: the real and generated
// payloads with their exact answers, every generated reject, the real
// inputs that do not decrypt, and bit flips of a real payload, all refused
// with the one decryption error.
'use strict';

const assert = require('node:assert/strict');
const { test } = require('node:test');

const {
  DECRYPTION_MESSAGE,
  assertRejects,
  expectedPhone,
  expectedUserInfo,
  generated,
  inputOf,
  official,
  realWorld,
  wx,
} = require('./helpers');

const SHAPE_REASONS = new Set(['duplicate_key', 'wrong_type', 'missing_field']);

function json(value) {
  return JSON.parse(JSON.stringify(value));
}

const MISSING_WATERMARK =
  'the payload has no watermark; this validation requires one ' +
  '(use accept_missing_watermark for payloads that carry none)';

function checkDecrypt(entry) {
  const plain = JSON.parse(entry.plaintext);
  let input = inputOf(entry);
  if (!plain.watermark) {
    // Payloads made without a watermark: refused unless that is accepted.
    input = { ...input, appid: input.appid || 'wx4f4bc4dec97d474b', now: 1700000000 };
    assertRejects(() => wx.decryptRaw(input), 'policy', MISSING_WATERMARK, entry.id);
    input.acceptMissingWatermark = true;
  }
  switch (entry.kind) {
    case 'phone': {
      const phone = wx.decryptPhone(input);
      assert.ok(phone instanceof wx.PhoneNumber);
      assert.deepEqual(json(phone), expectedPhone(plain), entry.id);
      // WeChat's member order (the CLI prints the same members sorted).
      assert.equal(JSON.stringify(phone), JSON.stringify(expectedPhone(plain)), entry.id);
      assert.equal(typeof phone.countryCode, 'string', entry.id);
      assert.equal(phone.e164, `+${phone.countryCode}${phone.purePhoneNumber}`, entry.id);
      assert.ok(phone.masked.includes('*'), entry.id);
      break;
    }
    case 'user_info': {
      const user = wx.decryptUserInfo(input);
      assert.ok(user instanceof wx.UserInfo);
      assert.equal(JSON.stringify(user), JSON.stringify(expectedUserInfo(plain)), entry.id);
      break;
    }
    default:
      break;
  }
  // Every payload, typed or not, through the raw path.
  assert.deepEqual(wx.decryptRaw(input), plain, `${entry.id} as raw`);
}

test('every real payload decrypts to its exact answer', () => {
  let n = 0;
  for (const entry of realWorld.decrypts) {
    checkDecrypt(entry);
    n += 1;
  }
  assert.equal(n, realWorld.decrypts.length);
  assert.ok(n >= 7);
});

test('the WeChat report of a + turned into a space decrypts only with lenientBase64', () => {
  const entry = realWorld.decrypts.find((e) => e.id === 'wxjava-issue-666-plus-as-space-phone');
  const damaged = { ...inputOf(entry), encryptedData: entry.encrypted_data_as_reported };
  const error = assertRejects(() => wx.decryptPhone(damaged), 'input', undefined, 'strict');
  assert.match(error.message, /^encrypted_data contains a space at byte \d+/);
  const phone = wx.decryptPhone({ ...damaged, lenientBase64: true });
  assert.deepEqual(json(phone), expectedPhone(JSON.parse(entry.plaintext)));
});

test('every generated payload decrypts to its exact answer', () => {
  for (const entry of generated.decrypts) checkDecrypt(entry);
  assert.equal(generated.decrypts.length, 21);
});

test('the official sample gives the README main job answer', () => {
  const user = wx.decryptUserInfo({
    sessionKey: official.session_key,
    iv: official.iv,
    encryptedData: official.encrypted_data,
    appid: official.appid,
    now: 1477314187,
  });
  assert.equal(user.nickName, 'Band');
  assert.deepEqual(user.watermark, { appid: 'wx4f4bc4dec97d474b', timestamp: 1477314187 });
});

// The policy of the generated rejects: the baseline phone payload's appid
// and time, under which it decrypts (so a refusal is the defect's doing).
const baseline = generated.decrypts.find((e) => e.id === 'phone/baseline');
const policy = { appid: baseline.appid, now: baseline.watermark_timestamp };

function rejectInput(entry, extra = {}) {
  return {
    sessionKey: entry.session_key,
    iv: entry.iv,
    encryptedData: entry.encrypted_data,
    ...policy,
    ...extra,
  };
}

test('every generated reject is the one decryption error, for every kind that must refuse it', () => {
  assert.doesNotThrow(() => wx.decryptPhone(inputOf(baseline)));
  let n = 0;
  for (const entry of generated.rejects) {
    const shape = SHAPE_REASONS.has(entry.reason);
    const kind = shape ? entry.id.split('/')[1] : null;
    const what = shape ? entry.id.split('/')[2] : '';
    for (const lax of [false, true]) {
      const input = rejectInput(entry, { acceptMissingWatermark: lax });
      const label = `${entry.id}${lax ? ' (missing watermark accepted)' : ''}`;
      if (!shape || kind === 'phone') {
        assertRejects(() => wx.decryptPhone(input), 'decryption', DECRYPTION_MESSAGE, `${label} as phone`);
      }
      if (!shape || kind === 'user_info') {
        assertRejects(() => wx.decryptUserInfo(input), 'decryption', DECRYPTION_MESSAGE, `${label} as user info`);
      }
      if (!shape || entry.reason === 'duplicate_key' || what.startsWith('watermark')) {
        assertRejects(() => wx.decryptRaw(input), 'decryption', DECRYPTION_MESSAGE, `${label} as raw`);
      }
    }
    n += 1;
  }
  assert.equal(n, 64);
});

test('the real inputs that do not decrypt are the one decryption error', () => {
  for (const entry of realWorld.does_not_decrypt) {
    const input = {
      sessionKey: entry.session_key,
      iv: entry.iv,
      encryptedData: entry.encrypted_data,
      appid: 'wx4f4bc4dec97d474b',
      now: 1700000000,
    };
    for (const fn of [wx.decryptPhone, wx.decryptUserInfo, wx.decryptRaw]) {
      assertRejects(() => fn(input), 'decryption', DECRYPTION_MESSAGE, entry.id);
    }
  }
  assert.equal(realWorld.does_not_decrypt.length, 3);
});

test('every bit flip of a real phone payload and of its iv is refused identically', () => {
  const entry = realWorld.decrypts.find((e) => e.id === 'gopay-phone');
  const input = inputOf(entry);
  assert.doesNotThrow(() => wx.decryptPhone(input));
  const messages = new Set();
  let flips = 0;
  for (const field of ['iv', 'encryptedData']) {
    const bytes = Buffer.from(input[field], 'base64');
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = Buffer.from(bytes);
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const tampered = { ...input, [field]: flipped.toString('base64') };
      const error = assertRejects(() => wx.decryptPhone(tampered), 'decryption', undefined, `${field} bit ${bit}`);
      messages.add(error.message);
      flips += 1;
    }
  }
  assert.equal(flips, (16 + Buffer.from(input.encryptedData, 'base64').length) * 8);
  assert.deepEqual([...messages], [DECRYPTION_MESSAGE]);
});

test('the candidate keys of the wx.login race: the index of the key that worked', () => {
  const entry = realWorld.decrypts.find((e) => e.id === 'gopay-phone');
  const stale = 'tiihtNczf5v6AKRyjwEUhQ==';
  const input = inputOf(entry);
  const { sessionKey, ...rest } = input;
  const found = wx.decryptWithKeys({ ...rest, kind: 'phone', sessionKeys: [stale, sessionKey] });
  assert.equal(found.keyIndex, 1);
  assert.deepEqual(json(found.value), expectedPhone(JSON.parse(entry.plaintext)));

  const user = realWorld.decrypts.find((e) => e.id === 'official-wxbizdatacrypt-userinfo');
  const u = inputOf(user);
  const foundUser = wx.decryptWithKeys({ ...u, kind: 'userInfo', sessionKeys: [u.sessionKey] });
  assert.equal(foundUser.keyIndex, 0);
  assert.equal(JSON.stringify(foundUser.value), JSON.stringify(expectedUserInfo(JSON.parse(user.plaintext))));

  // No key works: the error a single key gives.
  assertRejects(
    () => wx.decryptWithKeys({ ...rest, sessionKeys: [stale, stale] }),
    'decryption',
    DECRYPTION_MESSAGE,
    'no key',
  );
  assertRejects(
    () => wx.decryptWithKeys({ ...rest, sessionKeys: [] }),
    'input',
    `no candidate session_key was given: pass the current one (and up to ${wx.MAX_CANDIDATE_KEYS - 1} previous ones)`,
    'none',
  );
  const many = new Array(wx.MAX_CANDIDATE_KEYS + 1).fill(sessionKey);
  assertRejects(
    () => wx.decryptWithKeys({ ...rest, sessionKeys: many }),
    'input',
    `${many.length} candidate session keys were given, at most ${wx.MAX_CANDIDATE_KEYS} are tried ` +
      '(the current one and the one before it are enough for the wx.login race)',
    'too many',
  );
  assertRejects(
    () => wx.decryptWithKeys({ ...rest, sessionKeys: [sessionKey, 7] }),
    'input',
    'sessionKeys[1] must be a string (got number)',
    'a number among the keys',
  );
});

test('the rawData signatures of the vectors', () => {
  for (const entry of realWorld.signatures.filter((s) => s.kind === 'rawdata_sha1')) {
    const input = { rawData: entry.raw_data, signature: entry.signature, sessionKey: entry.session_key };
    assert.equal(wx.verifyRawData(input), entry.matches, entry.source);
    assert.equal(wx.verifyRawData({ ...input, signature: entry.signature.toUpperCase() }), entry.matches);
    assert.equal(wx.verifyRawData({ ...input, rawData: `${entry.raw_data} ` }), false);
  }
  for (const entry of realWorld.signatures.filter((s) => s.kind === 'session_hmac_sha256')) {
    assert.equal(
      wx.sessionSignature({ sessionKey: entry.session_key, message: entry.message }) === entry.signature,
      entry.matches,
      entry.source,
    );
  }
  assertRejects(
    () => wx.verifyRawData({ rawData: '{}', signature: '00', sessionKey: '' }),
    'input',
    'session_key is empty',
    'empty key',
  );
});
