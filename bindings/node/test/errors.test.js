// Every kind of refusal: the stage and the library's message for input and
// policy errors, wrong argument types refused before the addon is entered,
// and hostile inputs (48 MiB strings, lone surrogates, undefined, numbers
// where strings belong) that must give clean WxdecryptErrors and nothing
// else: no TypeError, no crash, no secret in a message.
'use strict';

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { assertRejects, inputOf, realWorld, response, wx } = require('./helpers');

const phoneEntry = realWorld.decrypts.find((e) => e.id === 'gopay-phone');
const good = inputOf(phoneEntry);
const PHONE = JSON.parse(phoneEntry.plaintext).phoneNumber;

function noSecret(error, label) {
  assert.ok(!error.message.includes(good.sessionKey), `${label}: the key is in the message`);
  assert.ok(!error.message.includes(PHONE), `${label}: the phone number is in the message`);
  assert.ok(!(error.stack || '').includes(good.sessionKey), `${label}: the key is in the stack`);
}

test('input errors: the stage and the library message naming the field', () => {
  const cases = [
    [{ sessionKey: '' }, 'session_key is empty'],
    [{ iv: '' }, 'iv is empty'],
    [{ encryptedData: '' }, 'encrypted_data is empty'],
    [{ iv: 'Cds8j3VYoGvnTp1BrjXdJg' }, undefined],
    [{ sessionKey: 'lyY4HPQbaOYzZdG JcYK9w==' }, undefined],
    [{ encryptedData: good.encryptedData.slice(0, 40) }, undefined],
    [{ iv: Buffer.alloc(12).toString('base64') }, undefined],
  ];
  for (const [change, message] of cases) {
    const label = JSON.stringify(Object.keys(change));
    const error = assertRejects(() => wx.decryptPhone({ ...good, ...change }), 'input', message, label);
    noSecret(error, label);
    assert.equal(error.code, undefined, label);
  }
  const space = assertRejects(
    () => wx.decryptPhone({ ...good, sessionKey: 'lyY4HPQbaOYzZdG JcYK9w==' }),
    'input',
    undefined,
    'space in the key',
  );
  // Where a key is concerned, no position is given.
  assert.match(space.message, /^session_key contains a space: /);
  const short = assertRejects(
    () => wx.decryptPhone({ ...good, iv: Buffer.alloc(12).toString('base64') }),
    'input',
    undefined,
    'short iv',
  );
  assert.match(short.message, /12/);
});

test('policy errors: another appid, too old, from the future, with the values involved', () => {
  const other = assertRejects(() => wx.decryptPhone({ ...good, appid: 'wx0000000000000000' }), 'policy', undefined, 'appid');
  assert.equal(
    other.message,
    'watermark appid "wxdaa2ab9ef87b5497" does not match the expected appid "wx0000000000000000" ' +
      '(the data was made for another mini program)',
  );
  const old = assertRejects(() => wx.decryptPhone({ ...good, now: good.now + 7200 }), 'policy', undefined, 'expired');
  assert.match(old.message, /1558787160/);
  const future = assertRejects(() => wx.decryptPhone({ ...good, now: good.now - 3600 }), 'policy', undefined, 'future');
  assert.match(future.message, /1558787160/);
  assert.notEqual(old.message, future.message);
  // maxAge and leeway move the limits.
  assert.doesNotThrow(() => wx.decryptPhone({ ...good, now: good.now + 7200, maxAge: 7200 }));
  assertRejects(() => wx.decryptPhone({ ...good, now: good.now + 100, maxAge: 10, leeway: 0 }), 'policy', undefined, 'tight');
  assert.doesNotThrow(() => wx.decryptPhone({ ...good, now: good.now - 3600, leeway: 3600 }));
  for (const error of [other, old, future]) noSecret(error, 'policy');
});

test('the system clock is read when now is absent: a 2019 payload is too old today', () => {
  const { now, ...withoutNow } = good;
  assert.equal(typeof now, 'number');
  assertRejects(() => wx.decryptPhone(withoutNow), 'policy', undefined, 'system clock');
});

test('wrong argument types are WxdecryptErrors of stage input, thrown before the addon', () => {
  const notStrings = [undefined, null, 42, 1n, true, {}, [], Buffer.from('x'), () => 'x', Symbol('x')];
  for (const field of ['sessionKey', 'iv', 'encryptedData', 'appid']) {
    for (const value of notStrings) {
      for (const fn of [wx.decryptPhone, wx.decryptUserInfo, wx.decryptRaw, wx.diagnose]) {
        if (fn === wx.diagnose && field === 'appid' && (value === undefined || value === null)) continue;
        const error = assertRejects(() => fn({ ...good, [field]: value }), 'input', undefined, `${field}=${String(value)}`);
        assert.match(error.message, new RegExp(`^${field} must be a string \\(got `));
      }
    }
  }
  for (const field of ['now', 'maxAge', 'leeway']) {
    for (const value of [-1, 1.5, NaN, Infinity, 2 ** 53, '1558787160', 1n, {}, true]) {
      const error = assertRejects(() => wx.decryptPhone({ ...good, [field]: value }), 'input', undefined, `${field}=${String(value)}`);
      assert.match(error.message, new RegExp(`^${field} must be a whole number of seconds`));
    }
  }
  for (const field of ['lenientBase64', 'acceptMissingWatermark']) {
    for (const value of [1, 'yes', {}]) {
      assertRejects(() => wx.decryptPhone({ ...good, [field]: value }), 'input', `${field} must be a boolean (got ${typeof value})`, field);
    }
  }
  for (const options of [undefined, null, 'x', 5, []]) {
    assertRejects(() => wx.decryptPhone(options), 'input', undefined, `options ${String(options)}`);
    assertRejects(() => wx.verifyRawData(options), 'input', undefined, `verify ${String(options)}`);
  }
  for (const body of [undefined, null, 5, Buffer.from('{}'), {}]) {
    assertRejects(() => wx.parsePhoneResponse(body), 'input', undefined, `body ${String(body)}`);
    assertRejects(() => wx.parseCode2Session(body), 'input', undefined, `code2session ${String(body)}`);
    assertRejects(() => wx.encryptedMsgHash(body), 'input', undefined, `hash ${String(body)}`);
  }
  assertRejects(() => wx.verifyRawData({ rawData: 5, signature: 'x', sessionKey: good.sessionKey }), 'input', 'rawData must be a string (got number)', 'rawData');
  assertRejects(() => wx.sessionSignature({ sessionKey: good.sessionKey, message: 5 }), 'input', undefined, 'message');
  assertRejects(() => wx.decryptWithKeys({ ...good, sessionKeys: 'x' }), 'input', undefined, 'sessionKeys');
  assertRejects(() => wx.decryptWithKeys({ ...good, sessionKeys: [good.sessionKey], kind: 'raw' }), 'input', undefined, 'kind');
});

const MiB48 = 48 * 1024 * 1024;

test('48 MiB strings in every field are refused cleanly', () => {
  const huge = 'A'.repeat(MiB48);
  const data = assertRejects(() => wx.decryptPhone({ ...good, encryptedData: huge }), 'input', undefined, 'data');
  assert.equal(data.message, `encrypted_data is too large: ${MiB48} base64 characters, the limit is 65536`);
  const key = assertRejects(() => wx.decryptPhone({ ...good, sessionKey: huge }), 'input', undefined, 'key');
  assert.match(key.message, /^session_key is too large: /);
  const iv = assertRejects(() => wx.decryptPhone({ ...good, iv: huge }), 'input', undefined, 'iv');
  assert.match(iv.message, /^iv is too large: /);
  // The appid is the server's own setting, not client input: a huge one is
  // simply another appid, refused by the watermark check.
  const appid = assertRejects(() => wx.decryptPhone({ ...good, appid: huge }), 'policy', undefined, 'appid');
  assert.ok(appid.message.startsWith('watermark appid "wxdaa2ab9ef87b5497" does not match'));
  const body = assertRejects(() => wx.parsePhoneResponse(huge), 'api', undefined, 'body');
  assert.match(body.message, new RegExp(`${MiB48}`));
  assertRejects(() => wx.parseCode2Session(huge), 'api', undefined, 'code2session body');
  assert.equal(wx.verifyRawData({ rawData: huge, signature: '0'.repeat(40), sessionKey: good.sessionKey }), false);
  assertRejects(() => wx.encryptedMsgHash(huge), 'input', undefined, 'hash');
  // Non-ASCII text counts in UTF-8 bytes, as the library counts it.
  const wide = 'é'.repeat(40000);
  const w = assertRejects(() => wx.decryptPhone({ ...good, encryptedData: wide }), 'input', undefined, 'wide');
  assert.equal(w.message, 'encrypted_data is too large: 80000 base64 characters, the limit is 65536');
});

test('lone surrogates and other odd text give clean errors', () => {
  const odd = ['\uD800', 'abc\uDFFF', '\uD83D', '\u0000', 'é', '\uFEFF', '😀'.repeat(10)];
  for (const text of odd) {
    for (const field of ['sessionKey', 'iv', 'encryptedData']) {
      const error = assertRejects(() => wx.decryptPhone({ ...good, [field]: text }), 'input', undefined, `${field} ${JSON.stringify(text)}`);
      noSecret(error, field);
    }
    // Base64 with a lone surrogate appended is not base64.
    assertRejects(() => wx.decryptPhone({ ...good, encryptedData: good.encryptedData + text }), 'input', undefined, 'appended');
    assertRejects(() => wx.decryptPhone({ ...good, appid: good.appid + text }), 'policy', undefined, 'appid');
    assert.equal(wx.verifyRawData({ rawData: text, signature: 'ff'.repeat(20), sessionKey: good.sessionKey }), false);
    for (const fn of [wx.parsePhoneResponse, wx.parseCode2Session]) {
      assertRejects(() => fn(`{"errcode":0,"errmsg":"${text}"}`), 'api', undefined, `response ${JSON.stringify(text)}`);
    }
  }
  // The halves of a surrogate pair split over two fields stay lone halves
  // (each public field is read on its own, with N-API's own conversion).
  const split = assertRejects(
    () => wx.decryptPhone({ ...good, iv: `${good.iv}\uD83D`, encryptedData: `\uDE00${good.encryptedData}` }),
    'input',
    undefined,
    'split pair',
  );
  assert.match(split.message, /^iv /);
  const splitData = assertRejects(
    () => wx.decryptPhone({ ...good, encryptedData: `${good.encryptedData}\uD83D`, appid: `\uDE00${good.appid}` }),
    'input',
    undefined,
    'split pair after the data',
  );
  assert.match(splitData.message, /^encrypted_data /);
  // In lenient mode too.
  assertRejects(() => wx.decryptPhone({ ...good, iv: `${good.iv}\uD800`, lenientBase64: true }), 'input', undefined, 'lenient');
});

test('response errors: stage api, WeChat or Authing code, the library message', () => {
  const cases = [
    ['getuserphonenumber-40029.json', 40029],
    ['getuserphonenumber-busy.json', -1],
    ['cloud-call-40029.json', 40029],
    ['authing-error.json', 2001],
  ];
  for (const [file, code] of cases) {
    const error = assertRejects(() => wx.parsePhoneResponse(response(file), { appid: 'wx4f4bc4dec97d474b' }), 'api', undefined, file);
    assert.equal(error.code, code, file);
  }
  const doc = assertRejects(() => wx.parsePhoneResponse(response('getuserphonenumber-doc-sample.json')), 'api', undefined, 'placeholders');
  assert.equal(doc.code, undefined);
  for (const text of ['', 'null', '[]', '{"errcode":0,"errcode":0}', '{"errcode":"0"}', '{}']) {
    const error = assertRejects(() => wx.parsePhoneResponse(text), 'api', undefined, `body ${text}`);
    assert.equal(error.code, undefined, text);
  }
  // A watermark refused in a response is an api error too.
  const watermark = assertRejects(
    () => wx.parsePhoneResponse(response('getuserphonenumber-ok.json'), { appid: 'wx0000000000000000', now: 1637744300 }),
    'api',
    undefined,
    'watermark',
  );
  assert.match(watermark.message, /wx0000000000000000/);
  assertRejects(() => wx.parsePhoneResponse('{}', { kind: 'other' }), 'input', undefined, 'kind');
  assertRejects(() => wx.parsePhoneResponse('{}', { maxAge: 5 }), 'input', undefined, 'maxAge without appid');
});

test('request builders refuse bad arguments as input errors, never echoing them', () => {
  const secret = 'S3CRET-value';
  const bad = [
    () => wx.getUserPhoneNumberRequest({ accessToken: '', code: 'c' }),
    () => wx.getUserPhoneNumberRequest({ accessToken: `${secret}\n`, code: 'c' }),
    () => wx.getUserPhoneNumberRequest({ accessToken: 't', code: 'x'.repeat(600) }),
    () => wx.code2SessionRequest({ appid: 'wx1', secret: `${secret}\u0000`, jsCode: 'c' }),
    () => wx.code2SessionRequest({ appid: '', secret, jsCode: 'c' }),
    () => wx.authingPhoneRequest({ appHost: 'http://example.com', extIdpConnidentifier: 'i', code: 'c' }),
  ];
  for (const fn of bad) {
    const error = assertRejects(fn, 'input', undefined, String(fn));
    assert.ok(!error.message.includes(secret));
  }
});
