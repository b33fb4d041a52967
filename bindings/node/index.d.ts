// Types of the npm package `wxdecrypt` (written by hand, checked by
// `tsc` against test/usage.ts in CI).

/** Where a failure was found. */
export type Stage = 'input' | 'decryption' | 'policy' | 'api';

/**
 * Every failure of this package, and nothing else is thrown.
 *
 * - `input`: refused before anything was decrypted (wrong argument types
 *   included, thrown before the native addon is entered).
 * - `decryption`: the one opaque failure after the cipher; its message is
 *   always the same. Answer every one of these the same way.
 * - `policy`: a well-formed payload failed the watermark checks (another
 *   appid, too old, from the future, no watermark).
 * - `api`: every failure of `parsePhoneResponse` and `parseCode2Session`.
 */
export class WxdecryptError extends Error {
  readonly name: 'WxdecryptError';
  readonly stage: Stage;
  /** The WeChat (`errcode`) or Authing (`apiCode`) code, when the response had one. */
  readonly code: number | undefined;
}

/** The most session keys `decryptWithKeys` tries. */
export const MAX_CANDIDATE_KEYS: number;

/** A checked watermark: the appid is the one you asked for. */
export interface Watermark {
  appid: string;
  /** Unix seconds. */
  timestamp: number;
}

/** A verified phone number; JSON.stringify gives WeChat's members. */
export class PhoneNumber {
  private constructor();
  readonly phoneNumber: string;
  readonly purePhoneNumber: string;
  /** Always a string of 1 to 4 digits, whether WeChat sent `86` or `"86"`. */
  readonly countryCode: string;
  readonly watermark: Watermark | null;
  /** `180****8610`: safe to log. */
  readonly masked: string;
  /** `+8618017448610`, or null when the number is not an E.164 number. */
  readonly e164: string | null;
}

/** A verified profile from getUserInfo. */
export class UserInfo {
  private constructor();
  /** Present when WeChat sent it. Take the openid from code2session, not from here. */
  readonly openId?: string;
  readonly nickName: string;
  /** 0 (unknown), 1 or 2. */
  readonly gender: number;
  readonly language: string;
  readonly city: string;
  readonly province: string;
  readonly country: string;
  readonly avatarUrl: string;
  readonly unionId?: string;
  readonly watermark: Watermark | null;
}

/** What code2session returned; the key is left out of every printed form. */
export class Code2Session {
  private constructor();
  readonly openid: string;
  readonly unionid: string | null;
  /** The session key's base64 text. Keep it on the server. */
  readonly sessionKey: string;
  toJSON(): { openid: string; unionid: string | null };
}

/** A request for your HTTP client; printed with its secrets redacted. */
export class HttpRequest {
  private constructor();
  readonly method: 'GET' | 'POST';
  /** May hold a secret (the access token, the app secret): never log it. */
  readonly url: string;
  readonly body: string | null;
  readonly contentType: string | null;
  toJSON(): { method: string; url: string; body: string | null; contentType: string | null };
}

/** The watermark checks. */
export interface Policy {
  /** Your mini program's appid: the watermark must name it. */
  appid: string;
  /** The current time in Unix seconds; absent reads the system clock. */
  now?: number | null;
  /** The largest watermark age in seconds (default 3600). */
  maxAge?: number | null;
  /** The clock skew tolerated in seconds (default 300). */
  leeway?: number | null;
  /** Accept a payload with no watermark (a present one is still checked). */
  acceptMissingWatermark?: boolean | null;
}

/** The three strings the mini program and your session store give, and the checks. */
export interface DecryptOptions extends Policy {
  /** The user's session_key from code2session (base64). */
  sessionKey: string;
  /** The iv sent with the data (base64). */
  iv: string;
  /** The encryptedData (base64), at most 64 KiB of text. */
  encryptedData: string;
  /** Repair base64 damaged in transit (spaces for `+`, line breaks, URL-safe alphabet, ...). */
  lenientBase64?: boolean | null;
}

export function decryptPhone(options: DecryptOptions): PhoneNumber;
export function decryptUserInfo(options: DecryptOptions): UserInfo;
/** Any payload, as the checked JSON object (numbers beyond 2^53 lose precision, as with JSON.parse). */
export function decryptRaw(options: DecryptOptions): Record<string, unknown>;

export interface DecryptWithKeysOptions extends Omit<DecryptOptions, 'sessionKey'> {
  /** The current key first, then the previous ones (at most MAX_CANDIDATE_KEYS). */
  sessionKeys: string[];
}

/** The `wx.login` race: which key decrypted the data (0 is the first), and the value. */
export function decryptWithKeys(
  options: DecryptWithKeysOptions & { kind?: 'phone' },
): { keyIndex: number; value: PhoneNumber };
export function decryptWithKeys(
  options: DecryptWithKeysOptions & { kind: 'userInfo' },
): { keyIndex: number; value: UserInfo };

/** Whether `signature` is sha1(rawData + sessionKey), compared in constant time. */
export function verifyRawData(options: { rawData: string; signature: string; sessionKey: string }): boolean;

export type ResponseKind = 'getUserPhoneNumber' | 'cloudCall' | 'authing';

export interface ResponseOptions {
  /** Your appid: the watermark is checked. Absent: not checked, and `watermark` is null. */
  appid?: string | null;
  now?: number | null;
  /** Needs `appid`. */
  maxAge?: number | null;
  /** Needs `appid`. */
  leeway?: number | null;
  /** Accept only this kind; `authing` (which sends no watermark) with an appid accepts the missing watermark. */
  kind?: ResponseKind | null;
}

/** A getuserphonenumber, cloud-call or Authing body, as the phone object. */
export function parsePhoneResponse(body: string, options?: ResponseOptions): PhoneNumber;
/** A code2session body. */
export function parseCode2Session(body: string): Code2Session;

export function getUserPhoneNumberRequest(options: { accessToken: string; code: string }): HttpRequest;
export function code2SessionRequest(options: { appid: string; secret: string; jsCode: string }): HttpRequest;
export function authingPhoneRequest(options: {
  appHost: string;
  extIdpConnidentifier: string;
  code: string;
}): HttpRequest;

/** hex(hmac_sha256(session_key, message)), for APIs that take sig_method=hmac_sha256. */
export function sessionSignature(options: { sessionKey: string; message: string | Uint8Array }): string;
/** The signature of the empty message, for checksession. */
export function checksessionSignature(options: { sessionKey: string }): string;
/** SHA-256 of the encryptedData text, for checkencryptedmsg. */
export function encryptedMsgHash(encryptedData: string): string;

export interface Diagnosis {
  /** Whether every check passed. */
  valid: boolean;
  /** The stage of the error decryption gives; null when valid. */
  stage: Exclude<Stage, 'api'> | null;
  /** A few lines for a terminal: the stage that failed, the finding, the likely cause and the fix. */
  report: string;
}

/**
 * For a developer's terminal, never behind a server response: a padding
 * oracle by construction. An absent appid is reported, not checked.
 */
export function diagnose(
  options: Omit<DecryptOptions, 'appid' | 'lenientBase64' | 'acceptMissingWatermark'> & { appid?: string | null },
): Diagnosis;
