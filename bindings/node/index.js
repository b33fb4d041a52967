// wxdecrypt for Node: the JavaScript half of the package.
//
// It owns the API's shape: it checks every argument's type before the
// native addon is entered (a wrong type is a WxdecryptError of stage
// 'input', thrown here), spreads the options objects into the addon's
// positional arguments, builds the result objects with WeChat's member
// names, and turns the addon's failures into WxdecryptErrors. Everything
// that decides whether data is accepted happens in the addon, which is the
// Rust crate `wxdecrypt` (bindings/node/src).
'use strict';

const util = require('node:util');

let native;
try {
  native = require('./wxdecrypt.node');
} catch (error) {
  const hint = new Error(
    'wxdecrypt: the native addon could not be loaded (' +
      (error && error.code ? error.code : 'unknown error') +
      '); build it from source with `npm run build` in the package directory',
  );
  hint.cause = error;
  throw hint;
}

// ----- Errors -----

/**
 * Every failure of this package. `stage` is 'input' (refused before
 * anything was decrypted, wrong argument types included), 'decryption'
 * (the one opaque failure after the cipher), 'policy' (a well-formed
 * payload failed the watermark checks) or 'api' (every failure of a server
 * response). `code` is the WeChat or Authing error code when the response
 * carried one, otherwise undefined. `message` is the library's message.
 */
class WxdecryptError extends Error {
  constructor(stage, message, code) {
    super(message);
    this.name = 'WxdecryptError';
    this.stage = stage;
    this.code = code;
  }
}

/** The most session keys decryptWithKeys tries (the library's limit). */
const MAX_CANDIDATE_KEYS = native.maxCandidateKeys();

// The largest encryptedData accepted, in UTF-8 bytes (the library's default).
const MAX_ENCRYPTED_DATA_LEN = native.maxEncryptedDataLen();

const STAGES = new Set(['input', 'decryption', 'policy', 'api']);

// The addon throws Errors whose `code` is the stage, or `api:<number>`.
function fromNative(error) {
  const code = error !== null && typeof error === 'object' ? error.code : undefined;
  if (typeof code === 'string') {
    if (STAGES.has(code)) return new WxdecryptError(code, error.message);
    if (code.startsWith('api:')) {
      return new WxdecryptError('api', error.message, Number(code.slice(4)));
    }
  }
  // Not one of ours (the addon checks nothing index.js has not checked):
  // still a WxdecryptError, so that nothing else escapes.
  return new WxdecryptError('input', String(error && error.message));
}

// ----- Argument checks (before the addon is entered) -----

function kindOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function refuse(name, expected, value) {
  return new WxdecryptError('input', `${name} must be ${expected} (got ${kindOf(value)})`);
}

function options(value, name) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw refuse(name, 'an object', value);
  }
  return value;
}

function string(value, name) {
  if (typeof value !== 'string') throw refuse(name, 'a string', value);
  return value;
}

function optionalString(value, name) {
  if (value === undefined || value === null) return undefined;
  return string(value, name);
}

function seconds(value, name) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw refuse(name, 'a whole number of seconds from 0 to 2^53 - 1', value);
  }
  return value;
}

function flag(value, name) {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw refuse(name, 'a boolean', value);
  return value;
}

// ----- Results -----

// The addon returns each result as one string (a Record, see
// bindings/node/src/lib.rs): per field, one header unit and what it
// announces. 0 to 0x7a: a text of that many code units follows; 0x7b and
// two units of 7 bits (high first), or 0x7c and five: a longer text's
// length; 0x7e and eight units of 7 bits: a number; 0x7f: an absent field
// (null here). One string crosses the boundary instead of many values. A
// record of the decrypt functions may instead be a failure: 0x7d first
// (read as undefined), then the stage as an error's code would carry it,
// then the library's message.
const FAILURE = 0x7d;

// The field of `record` at `cursor`, and the cursor moved past it. The
// hot path reads its records with it field by field, without an array
// (the addon is synchronous, so one cursor serves every call). Short texts
// are read here, in a function small enough for V8 to inline; the rest in
// takeOther.
let cursor = 0;
function take(record) {
  const at = cursor;
  const head = record.charCodeAt(at);
  if (head > 0x7a) return takeOther(record, at + 1, head);
  cursor = at + 1 + head;
  return record.slice(at + 1, cursor);
}

// The fields take leaves: absent, a failure's marker, a number, a long text.
function takeOther(record, from, head) {
  if (head === 0x7f) {
    cursor = from;
    return null;
  }
  if (head === FAILURE) {
    cursor = from;
    return undefined;
  }
  // The number, or the length, in units of 7 bits.
  const end = from + (head === 0x7e ? 8 : head === 0x7b ? 2 : 5);
  let value = 0;
  for (let at = from; at < end; at++) value = value * 128 + record.charCodeAt(at);
  if (head === 0x7e) {
    cursor = end;
    return value;
  }
  cursor = end + value;
  return record.slice(end, cursor);
}

// All the fields of a record, in an array.
function fields(record) {
  const out = [];
  cursor = 0;
  while (cursor < record.length) out.push(take(record));
  return out;
}

const MASK = util.inspect.custom;

/**
 * A verified phone number. Its own members are WeChat's, so JSON.stringify
 * gives the wxdecrypt CLI's JSON; `masked` and `e164` are getters.
 * util.inspect (console.log) shows it masked.
 */
class PhoneNumber {
  #forms = null;

  // Reads its fields from `record` at `cursor` (see take).
  constructor(record, appid) {
    this.phoneNumber = take(record);
    this.purePhoneNumber = take(record);
    this.countryCode = take(record);
    const timestamp = take(record);
    this.watermark = timestamp === null ? null : { appid, timestamp };
  }

  // The library's masked and E.164 forms, made on first use (most callers
  // read neither): the number's own fields, read again by the library.
  #form(index) {
    if (this.#forms === null) {
      const info = JSON.stringify({
        phoneNumber: this.phoneNumber,
        purePhoneNumber: this.purePhoneNumber,
        countryCode: this.countryCode,
      });
      try {
        this.#forms = fields(native.phoneForms(info));
      } catch (error) {
        throw fromNative(error);
      }
    }
    return this.#forms[index];
  }

  /** The pure number with its middle digits masked: `180****8610`. */
  get masked() {
    return this.#form(0);
  }

  /** `+8618017448610`, or null when the number is not an E.164 number. */
  get e164() {
    return this.#form(1);
  }

  [MASK](depth, inspectOptions, inspect) {
    const shown = { masked: this.masked, countryCode: this.countryCode, watermark: this.watermark };
    return `PhoneNumber ${inspect(shown, inspectOptions)}`;
  }
}

/**
 * A verified user profile from getUserInfo. Its own members are WeChat's
 * (openId and unionId only when sent), so JSON.stringify gives the CLI's
 * JSON. util.inspect shows only the language and which ids are present.
 */
class UserInfo {
  // Reads its fields from `record` at `cursor` (see take).
  constructor(record, appid) {
    const openId = take(record);
    if (openId !== null) this.openId = openId;
    this.nickName = take(record);
    this.gender = take(record);
    this.language = take(record);
    this.city = take(record);
    this.province = take(record);
    this.country = take(record);
    this.avatarUrl = take(record);
    const unionId = take(record);
    if (unionId !== null) this.unionId = unionId;
    const timestamp = take(record);
    this.watermark = timestamp === null ? null : { appid, timestamp };
  }

  [MASK](depth, inspectOptions, inspect) {
    const shown = {
      openId: this.openId === undefined ? 'absent' : '[redacted]',
      nickName: '[redacted]',
      language: this.language,
      unionId: this.unionId === undefined ? 'absent' : '[redacted]',
      watermark: this.watermark,
    };
    return `UserInfo ${inspect(shown, inspectOptions)}`;
  }
}

/**
 * What code2session returned. `openid` and `unionid` (null when absent)
 * are own members; the session key is read through the `sessionKey` getter
 * only, and is left out of JSON.stringify, util.inspect and console.log.
 */
class Code2Session {
  #sessionKey;

  constructor(openid, unionid, sessionKey) {
    this.openid = openid;
    this.unionid = unionid;
    this.#sessionKey = sessionKey;
  }

  /** The session key's base64 text: keep it on the server. */
  get sessionKey() {
    return this.#sessionKey;
  }

  toJSON() {
    return { openid: this.openid, unionid: this.unionid };
  }

  [MASK](depth, inspectOptions, inspect) {
    const shown = {
      openid: '[redacted]',
      unionid: this.unionid === null ? null : '[redacted]',
      sessionKey: '[redacted]',
    };
    return `Code2Session ${inspect(shown, inspectOptions)}`;
  }
}

/**
 * A request for your HTTP client: `method`, `url`, `body` (null for GET)
 * and `contentType` (null without a body). The URL and the body may hold
 * secrets (an access token, the app secret, a one-time code), so
 * util.inspect and JSON.stringify show them redacted.
 */
class HttpRequest {
  constructor(fields) {
    this.method = fields[0];
    this.url = fields[1];
    this.body = fields[2];
    this.contentType = fields[3];
  }

  #redacted() {
    const query = this.url.indexOf('?');
    return {
      method: this.method,
      url: query < 0 ? this.url : `${this.url.slice(0, query)}?[redacted]`,
      body: this.body === null ? null : '[redacted]',
      contentType: this.contentType,
    };
  }

  toJSON() {
    return this.#redacted();
  }

  [MASK](depth, inspectOptions, inspect) {
    return `HttpRequest ${inspect(this.#redacted(), inspectOptions)}`;
  }
}

// ----- The decrypt path -----

// Calls a decrypt function of the addon with the options spread out, and
// `build(record, appid)` on its record.
function callDecrypt(fn, input, name, build) {
  const o = options(input, name);
  const sessionKey = string(o.sessionKey, 'sessionKey');
  const iv = string(o.iv, 'iv');
  const encryptedData = string(o.encryptedData, 'encryptedData');
  const appid = string(o.appid, 'appid');
  const now = seconds(o.now, 'now');
  const maxAge = seconds(o.maxAge, 'maxAge');
  const leeway = seconds(o.leeway, 'leeway');
  const lenient = flag(o.lenientBase64, 'lenientBase64');
  const acceptMissing = flag(o.acceptMissingWatermark, 'acceptMissingWatermark');
  // Text longer than the library accepts is not sent at all: only its
  // UTF-8 length, for the library's refusal. (A UTF-16 unit is at least
  // one UTF-8 byte.)
  let data = encryptedData;
  let oversized;
  if (data.length > MAX_ENCRYPTED_DATA_LEN) {
    const bytes = Buffer.byteLength(data, 'utf8');
    if (bytes > MAX_ENCRYPTED_DATA_LEN) {
      oversized = bytes;
      data = '';
    }
  }
  let record;
  try {
    // Absent numbers cross as -1, the two switches as bits, and trailing
    // arguments that are not needed are left out (each one read costs the
    // addon an N-API call).
    if (
      maxAge === undefined && leeway === undefined && !lenient && !acceptMissing &&
      oversized === undefined
    ) {
      record = now === undefined
        ? fn(sessionKey, iv, data, appid)
        : fn(sessionKey, iv, data, appid, now);
    } else {
      record = fn(
        sessionKey, iv, data, appid, now === undefined ? -1 : now,
        maxAge === undefined ? -1 : maxAge, leeway === undefined ? -1 : leeway,
        (lenient ? 1 : 0) | (acceptMissing ? 2 : 0), oversized === undefined ? -1 : oversized,
      );
    }
  } catch (error) {
    throw fromNative(error);
  }
  // These three return their failures as a record (see FAILURE).
  if (record.charCodeAt(0) === FAILURE) {
    const [, code, message] = fields(record);
    throw fromNative({ code, message });
  }
  cursor = 0;
  return build(record, appid);
}

const phoneFrom = (record, appid) => new PhoneNumber(record, appid);
const userFrom = (record, appid) => new UserInfo(record, appid);
// Text the library's strict reader accepted: one object, no duplicate keys.
const rawFrom = (record) => JSON.parse(take(record));

function decryptPhone(input) {
  return callDecrypt(native.decryptPhone, input, 'decryptPhone options', phoneFrom);
}

function decryptUserInfo(input) {
  return callDecrypt(native.decryptUserInfo, input, 'decryptUserInfo options', userFrom);
}

function decryptRaw(input) {
  return callDecrypt(native.decryptRaw, input, 'decryptRaw options', rawFrom);
}

function decryptWithKeys(input) {
  const o = options(input, 'decryptWithKeys options');
  const kind = o.kind === undefined ? 'phone' : o.kind;
  if (kind !== 'phone' && kind !== 'userInfo') {
    throw new WxdecryptError('input', "kind must be 'phone' or 'userInfo'");
  }
  const sessionKeys = o.sessionKeys;
  if (!Array.isArray(sessionKeys)) throw refuse('sessionKeys', 'an array of strings', sessionKeys);
  // A list of the wrong length is the library's refusal (its keys unread).
  if (sessionKeys.length >= 1 && sessionKeys.length <= MAX_CANDIDATE_KEYS) {
    sessionKeys.forEach((key, i) => string(key, `sessionKeys[${i}]`));
  }
  const iv = string(o.iv, 'iv');
  const encryptedData = string(o.encryptedData, 'encryptedData');
  const appid = string(o.appid, 'appid');
  const now = seconds(o.now, 'now');
  const maxAge = seconds(o.maxAge, 'maxAge');
  const leeway = seconds(o.leeway, 'leeway');
  const lenient = flag(o.lenientBase64, 'lenientBase64');
  const acceptMissing = flag(o.acceptMissingWatermark, 'acceptMissingWatermark');
  let record;
  try {
    record = native.decryptWithKeys(
      kind, sessionKeys, iv, encryptedData, appid, now, maxAge, leeway, lenient, acceptMissing,
    );
  } catch (error) {
    throw fromNative(error);
  }
  cursor = 0;
  const keyIndex = take(record);
  const value = kind === 'phone' ? new PhoneNumber(record, appid) : new UserInfo(record, appid);
  return { keyIndex, value };
}

function verifyRawData(input) {
  const o = options(input, 'verifyRawData options');
  const rawData = string(o.rawData, 'rawData');
  const signature = string(o.signature, 'signature');
  const sessionKey = string(o.sessionKey, 'sessionKey');
  try {
    return native.verifyRawData(rawData, signature, sessionKey);
  } catch (error) {
    throw fromNative(error);
  }
}

// ----- Server responses -----

const RESPONSE_KINDS = new Set(['getUserPhoneNumber', 'cloudCall', 'authing']);

function parsePhoneResponse(body, input) {
  string(body, 'body');
  const o = input === undefined ? {} : options(input, 'parsePhoneResponse options');
  const appid = optionalString(o.appid, 'appid');
  const now = seconds(o.now, 'now');
  const maxAge = seconds(o.maxAge, 'maxAge');
  const leeway = seconds(o.leeway, 'leeway');
  const kind = optionalString(o.kind, 'kind');
  if (kind !== undefined && !RESPONSE_KINDS.has(kind)) {
    throw new WxdecryptError('input', "kind must be 'getUserPhoneNumber', 'cloudCall' or 'authing'");
  }
  if (appid === undefined && (maxAge !== undefined || leeway !== undefined)) {
    throw new WxdecryptError('input', 'maxAge and leeway check the watermark: they need the appid');
  }
  let record;
  try {
    record = native.parsePhoneResponse(body, appid, now, maxAge, leeway, kind);
  } catch (error) {
    throw fromNative(error);
  }
  cursor = 0;
  return new PhoneNumber(record, appid);
}

function parseCode2Session(body) {
  string(body, 'body');
  let f;
  try {
    f = fields(native.parseCode2Session(body));
  } catch (error) {
    throw fromNative(error);
  }
  // The library has read the body strictly (no duplicate keys) and checked
  // that its session_key is the canonical base64 of 16 bytes; this reads
  // the same member's text, to hand it to the caller for storage.
  const sessionKey = JSON.parse(body).session_key;
  return new Code2Session(f[0], f[1], sessionKey);
}

// ----- Requests -----

function request(fn, args) {
  try {
    return new HttpRequest(fields(fn(...args)));
  } catch (error) {
    throw fromNative(error);
  }
}

function getUserPhoneNumberRequest(input) {
  const o = options(input, 'getUserPhoneNumberRequest options');
  return request(native.getUserPhoneNumberRequest, [
    string(o.accessToken, 'accessToken'),
    string(o.code, 'code'),
  ]);
}

function code2SessionRequest(input) {
  const o = options(input, 'code2SessionRequest options');
  return request(native.code2SessionRequest, [
    string(o.appid, 'appid'),
    string(o.secret, 'secret'),
    string(o.jsCode, 'jsCode'),
  ]);
}

function authingPhoneRequest(input) {
  const o = options(input, 'authingPhoneRequest options');
  return request(native.authingPhoneRequest, [
    string(o.appHost, 'appHost'),
    string(o.extIdpConnidentifier, 'extIdpConnidentifier'),
    string(o.code, 'code'),
  ]);
}

// ----- Signatures and digests -----

function sessionSignature(input) {
  const o = options(input, 'sessionSignature options');
  const sessionKey = string(o.sessionKey, 'sessionKey');
  let message;
  if (typeof o.message === 'string') {
    message = Buffer.from(o.message, 'utf8');
  } else if (o.message instanceof Uint8Array) {
    message = Buffer.from(o.message.buffer, o.message.byteOffset, o.message.byteLength);
  } else {
    throw refuse('message', 'a string, a Buffer or a Uint8Array', o.message);
  }
  try {
    return native.sessionSignature(sessionKey, message);
  } catch (error) {
    throw fromNative(error);
  }
}

function checksessionSignature(input) {
  const o = options(input, 'checksessionSignature options');
  const sessionKey = string(o.sessionKey, 'sessionKey');
  try {
    return native.checksessionSignature(sessionKey);
  } catch (error) {
    throw fromNative(error);
  }
}

function encryptedMsgHash(encryptedData) {
  string(encryptedData, 'encryptedData');
  try {
    return native.encryptedMsgHash(encryptedData);
  } catch (error) {
    throw fromNative(error);
  }
}

// ----- Offline diagnosis -----

/**
 * For a developer's terminal, never a server's response: it tells the
 * failures apart that decryption keeps opaque (a padding oracle by
 * construction).
 */
function diagnose(input) {
  const o = options(input, 'diagnose options');
  const sessionKey = string(o.sessionKey, 'sessionKey');
  const iv = string(o.iv, 'iv');
  const encryptedData = string(o.encryptedData, 'encryptedData');
  const appid = optionalString(o.appid, 'appid');
  const now = seconds(o.now, 'now');
  const maxAge = seconds(o.maxAge, 'maxAge');
  const leeway = seconds(o.leeway, 'leeway');
  let f;
  try {
    f = fields(native.diagnose(sessionKey, iv, encryptedData, appid, now, maxAge, leeway));
  } catch (error) {
    throw fromNative(error);
  }
  return { valid: f[0] === 'true', stage: f[1], report: f[2] };
}

module.exports = {
  MAX_CANDIDATE_KEYS,
  WxdecryptError,
  PhoneNumber,
  UserInfo,
  Code2Session,
  HttpRequest,
  decryptPhone,
  decryptUserInfo,
  decryptRaw,
  decryptWithKeys,
  verifyRawData,
  parsePhoneResponse,
  parseCode2Session,
  getUserPhoneNumberRequest,
  code2SessionRequest,
  authingPhoneRequest,
  sessionSignature,
  checksessionSignature,
  encryptedMsgHash,
  diagnose,
};
