// A small program against index.d.ts, type-checked by `npm run typecheck`
// (tsc, no output) in CI: the typings must describe the package as it is
// used. It is not run; the tests in this directory run the same calls.
import * as wx from '..';
import { WxdecryptError, type PhoneNumber, type Stage } from '..';

function phoneHandler(body: { encryptedData: unknown; iv: unknown }, sessionKey: string): string {
  try {
    const phone: PhoneNumber = wx.decryptPhone({
      sessionKey,
      iv: String(body.iv),
      encryptedData: String(body.encryptedData),
      appid: 'wxdaa2ab9ef87b5497',
      maxAge: 600,
      lenientBase64: true,
    });
    const country: string = phone.countryCode;
    const e164: string | null = phone.e164;
    const timestamp: number | undefined = phone.watermark?.timestamp;
    return `${phone.masked} ${country} ${e164 ?? ''} ${timestamp ?? ''}`;
  } catch (error) {
    if (error instanceof WxdecryptError) {
      const stage: Stage = error.stage;
      const code: number | undefined = error.code;
      return `${stage} ${code ?? ''} ${error.message}`;
    }
    throw error;
  }
}

const user = wx.decryptUserInfo({ sessionKey: 'k', iv: 'i', encryptedData: 'd', appid: 'a', now: 1 });
const nick: string = user.nickName;
const openId: string | undefined = user.openId;
const raw: Record<string, unknown> = wx.decryptRaw({ sessionKey: 'k', iv: 'i', encryptedData: 'd', appid: 'a' });

const race = wx.decryptWithKeys({ sessionKeys: ['a', 'b'], iv: 'i', encryptedData: 'd', appid: 'a' });
const index: number = race.keyIndex;
const racePhone: PhoneNumber = race.value;
const raceUser: wx.UserInfo = wx.decryptWithKeys({
  kind: 'userInfo',
  sessionKeys: ['a'],
  iv: 'i',
  encryptedData: 'd',
  appid: 'a',
}).value;

const matches: boolean = wx.verifyRawData({ rawData: '{}', signature: 's', sessionKey: 'k' });
const fromApi: PhoneNumber = wx.parsePhoneResponse('{}', { appid: 'a', now: 1, kind: 'cloudCall' });
const unchecked: PhoneNumber = wx.parsePhoneResponse('{}');
const session: wx.Code2Session = wx.parseCode2Session('{}');
const stored: string = session.sessionKey;
const unionid: string | null = session.unionid;

const request: wx.HttpRequest = wx.getUserPhoneNumberRequest({ accessToken: 't', code: 'c' });
const init = { method: request.method, body: request.body ?? undefined };
const login = wx.code2SessionRequest({ appid: 'a', secret: 's', jsCode: 'c' });
const authing = wx.authingPhoneRequest({ appHost: 'https://x', extIdpConnidentifier: 'i', code: 'c' });

const signature: string = wx.sessionSignature({ sessionKey: 'k', message: new Uint8Array(2) });
const check: string = wx.checksessionSignature({ sessionKey: 'k' });
const hash: string = wx.encryptedMsgHash('d');
const diagnosis: wx.Diagnosis = wx.diagnose({ sessionKey: 'k', iv: 'i', encryptedData: 'd' });
const max: number = wx.MAX_CANDIDATE_KEYS;

// @ts-expect-error: the appid cannot be forgotten.
wx.decryptPhone({ sessionKey: 'k', iv: 'i', encryptedData: 'd' });
// @ts-expect-error: a string where a number of seconds belongs.
wx.decryptPhone({ sessionKey: 'k', iv: 'i', encryptedData: 'd', appid: 'a', now: '1' });
// @ts-expect-error: no such response kind.
wx.parsePhoneResponse('{}', { kind: 'https' });

export const used = [
  phoneHandler,
  nick,
  openId,
  raw,
  index,
  racePhone,
  raceUser,
  matches,
  fromApi,
  unchecked,
  stored,
  unionid,
  init,
  login,
  authing,
  signature,
  check,
  hash,
  diagnosis.report,
  max,
];
