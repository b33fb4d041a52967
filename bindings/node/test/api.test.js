// The newer flows: the response fixtures of tests/vectors/responses, the
// code2session result that keeps its key out of every printed form, the
// request builders, the signatures, and the offline diagnosis.
'use strict';

const assert = require('node:assert/strict');
const util = require('node:util');
const { test } = require('node:test');

const { assertRejects, generated, inputOf, realWorld, response, wx } = require('./helpers');

const APPID = 'wx4f4bc4dec97d474b';
const NOW = 1637744300;

test('getuserphonenumber and the cloud call: the phone object, watermark checked', () => {
  const expected = {
    phoneNumber: '13580006666',
    purePhoneNumber: '13580006666',
    countryCode: '86',
    watermark: { appid: APPID, timestamp: 1637744274 },
  };
  for (const file of ['getuserphonenumber-ok.json', 'cloud-call-ok.json']) {
    const phone = wx.parsePhoneResponse(response(file), { appid: APPID, now: NOW });
    assert.ok(phone instanceof wx.PhoneNumber);
    // countryCode is 86 (a number) in one file and "86" in the other.
    assert.equal(JSON.stringify(phone), JSON.stringify(expected), file);
    assert.equal(phone.e164, '+8613580006666');
    assert.equal(phone.masked, '135****6666');
  }
  // Pinned to the right kind, or refused as another kind.
  assert.doesNotThrow(() =>
    wx.parsePhoneResponse(response('cloud-call-ok.json'), { appid: APPID, now: NOW, kind: 'cloudCall' }),
  );
  assertRejects(
    () => wx.parsePhoneResponse(response('cloud-call-ok.json'), { appid: APPID, now: NOW, kind: 'getUserPhoneNumber' }),
    'api',
    'malformed response: a response of kind cloud call where getuserphonenumber was expected',
    'other kind',
  );
  // Without an appid the watermark is not checked, and is null (as the CLI).
  const unchecked = wx.parsePhoneResponse(response('getuserphonenumber-ok.json'));
  assert.equal(unchecked.watermark, null);
  assert.equal(unchecked.purePhoneNumber, '13580006666');
  // Old data is refused with the clock given or read.
  assertRejects(() => wx.parsePhoneResponse(response('getuserphonenumber-ok.json'), { appid: APPID }), 'api', undefined, 'clock');
  assert.doesNotThrow(() =>
    wx.parsePhoneResponse(response('getuserphonenumber-ok.json'), { appid: APPID, now: NOW + 7000, maxAge: 7200 }),
  );
});

test('Authing: no watermark; pinned as authing it passes with an appid', () => {
  const ok = wx.parsePhoneResponse(response('authing-ok.json'));
  assert.equal(
    JSON.stringify(ok),
    JSON.stringify({ phoneNumber: '+8618812348888', purePhoneNumber: '18812348888', countryCode: '86', watermark: null }),
  );
  const pinned = wx.parsePhoneResponse(response('authing-ok.json'), { appid: APPID, kind: 'authing' });
  assert.equal(pinned.watermark, null);
  // A validation that requires a watermark refuses Authing's.
  assertRejects(() => wx.parsePhoneResponse(response('authing-ok.json'), { appid: APPID }), 'api', undefined, 'unpinned');
  const error = assertRejects(() => wx.parsePhoneResponse(response('authing-error.json')), 'api', undefined, 'error');
  assert.equal(error.code, 2001);
  for (const file of ['authing-doc-sample.json', 'authing-doc-sample-zh.json']) {
    assertRejects(() => wx.parsePhoneResponse(response(file)), 'api', undefined, `${file} (placeholder digits)`);
  }
});

test('code2session: openid and unionid, and a key that no printed form reveals', () => {
  const body = response('code2session-ok.json');
  const key = JSON.parse(body).session_key;
  const session = wx.parseCode2Session(body);
  assert.ok(session instanceof wx.Code2Session);
  assert.equal(session.openid, 'oGZUI0egBJY1zhBYw2KhdUfwVJJE');
  assert.equal(session.unionid, 'ocMvos6NjeKLIBqg5Mr9QjxrP1FA');
  assert.equal(session.sessionKey, key);

  const printed = [
    JSON.stringify(session),
    JSON.stringify({ session }),
    util.inspect(session),
    util.inspect(session, { showHidden: true, depth: Infinity }),
    util.inspect(session, { customInspect: false, showHidden: true, depth: Infinity }),
    util.inspect({ nested: [session] }),
    util.format('%o %O %s %j', session, session, session, session),
    String(session),
    `${session}`,
    Object.keys(session).join(','),
    Reflect.ownKeys(session).map(String).join(','),
    JSON.stringify(structuredClone(session)),
  ];
  // What console.log writes: util.format of its arguments, captured here.
  const write = process.stdout.write;
  let logged = '';
  process.stdout.write = (chunk) => {
    logged += chunk;
    return true;
  };
  try {
    console.log(session);
    console.log('%o', session);
    console.log({ session });
  } finally {
    process.stdout.write = write;
  }
  printed.push(logged);
  for (const text of printed) {
    assert.ok(!text.includes(key), `the key shows in: ${text}`);
    assert.ok(!text.includes(key.slice(0, 8)), `part of the key shows in: ${text}`);
  }
  assert.ok(logged.includes('[redacted]'));
  assert.deepEqual(JSON.parse(JSON.stringify(session)), {
    openid: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE',
    unionid: 'ocMvos6NjeKLIBqg5Mr9QjxrP1FA',
  });
  // The key as read decrypts what it should.
  const entry = realWorld.decrypts.find((e) => e.session_key === key && e.kind === 'user_info');
  assert.equal(wx.decryptUserInfo({ ...inputOf(entry), sessionKey: session.sessionKey }).nickName, 'Band');

  const refused = assertRejects(() => wx.parseCode2Session(response('code2session-40029.json')), 'api', undefined, '40029');
  assert.equal(refused.code, 40029);
  const badKey = assertRejects(
    () => wx.parseCode2Session('{"openid":"o1","session_key":"not a key"}'),
    'api',
    undefined,
    'bad key',
  );
  assert.ok(!badKey.message.includes('not a key'));
  assert.equal(wx.parseCode2Session('{"openid":"o1","session_key":"tiihtNczf5v6AKRyjwEUhQ=="}').unionid, null);
});

test('request builders: the URL and body to send, redacted when printed', () => {
  const phone = wx.getUserPhoneNumberRequest({ accessToken: 'ACCESS_TOKEN', code: 'CODE' });
  assert.equal(phone.method, 'POST');
  assert.equal(phone.url, 'https://api.weixin.qq.com/wxa/business/getuserphonenumber?access_token=ACCESS_TOKEN');
  assert.equal(phone.body, '{"code":"CODE"}');
  assert.equal(phone.contentType, 'application/json');
  const login = wx.code2SessionRequest({ appid: APPID, secret: 'APP SECRET', jsCode: 'JS&CODE' });
  assert.equal(login.method, 'GET');
  assert.equal(
    login.url,
    `https://api.weixin.qq.com/sns/jscode2session?appid=${APPID}&secret=APP%20SECRET&js_code=JS%26CODE&grant_type=authorization_code`,
  );
  assert.equal(login.body, null);
  assert.equal(login.contentType, null);
  const authing = wx.authingPhoneRequest({ appHost: 'https://example.authing.cn', extIdpConnidentifier: 'wechat', code: 'C' });
  assert.equal(authing.url, 'https://example.authing.cn/api/v3/get-wechat-miniprogram-phone');
  assert.equal(authing.body, '{"code":"C","extIdpConnidentifier":"wechat"}');
  for (const text of [util.inspect(phone), JSON.stringify(phone), util.inspect(login), JSON.stringify(login)]) {
    assert.ok(!text.includes('ACCESS_TOKEN') && !text.includes('SECRET') && !text.includes('CODE'), text);
  }
});

test('signatures and digests', () => {
  const hmac = realWorld.signatures.find((s) => s.kind === 'session_hmac_sha256');
  assert.equal(wx.sessionSignature({ sessionKey: hmac.session_key, message: hmac.message }), hmac.signature);
  assert.equal(
    wx.sessionSignature({ sessionKey: hmac.session_key, message: Buffer.from(hmac.message) }),
    hmac.signature,
  );
  assert.equal(
    wx.sessionSignature({ sessionKey: hmac.session_key, message: new TextEncoder().encode(hmac.message) }),
    hmac.signature,
  );
  assert.equal(
    wx.checksessionSignature({ sessionKey: hmac.session_key }),
    wx.sessionSignature({ sessionKey: hmac.session_key, message: '' }),
  );
  const entry = realWorld.decrypts[0];
  const hash = wx.encryptedMsgHash(entry.encrypted_data);
  assert.equal(hash, require('node:crypto').createHash('sha256').update(entry.encrypted_data).digest('hex'));
  assertRejects(() => wx.encryptedMsgHash('not base64!'), 'input', undefined, 'bad data');
  assertRejects(() => wx.sessionSignature({ sessionKey: 'short', message: '' }), 'input', undefined, 'bad key');
});

test('diagnose: valid inputs, a stale key, and the appid reported when not given', () => {
  const entry = realWorld.decrypts.find((e) => e.id === 'gopay-phone');
  const valid = wx.diagnose(inputOf(entry));
  assert.equal(valid.valid, true);
  assert.equal(valid.stage, null);
  assert.equal(typeof valid.report, 'string');
  const stale = wx.diagnose({ ...inputOf(entry), sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==' });
  assert.equal(stale.valid, false);
  assert.equal(stale.stage, 'decryption');
  assert.match(stale.report, /padding/);
  assert.ok(!stale.report.includes('tiihtNczf5v6AKRyjwEUhQ=='));
  const { appid, ...noAppid } = inputOf(entry);
  const reported = wx.diagnose(noAppid);
  assert.equal(reported.valid, true);
  assert.ok(reported.report.includes(appid));
  const wrong = wx.diagnose({ ...inputOf(entry), appid: 'wx0000000000000000' });
  assert.equal(wrong.stage, 'policy');
  const spaced = wx.diagnose({ ...inputOf(entry), encryptedData: entry.encrypted_data.replace(/\+/g, ' ') });
  assert.equal(spaced.stage, 'input');
  assert.ok(generated.rejects.length > 0);
});
