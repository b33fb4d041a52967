#!/usr/bin/env python3
"""Generate tests/vectors/generated.json for wxdecrypt.

Run from the repository root:

    python3 tests/vectors/generate.py

The vectors are made with Python's `cryptography` package, which is an
implementation independent of the crate under test (never use the crate to
make its own vectors).  The output is fully deterministic:

* AES-CBC with a fixed key and IV is deterministic, and every key/IV is either
  the official WeChat sample pair or derived from the entry id with SHA-256.
* No random module is used; "random-looking" values (step counts, padding
  text) come from SHA-256 as well.
* The JSON file is written with a fixed layout, so rerunning the script gives
  a byte-identical file.

Every entry is checked before it is written: `decrypts` entries are decrypted
back and compared with the exact plaintext, and `rejects` entries are
decrypted back and shown to fail for the stated reason, and only that reason
(see `verify_reject`).
"""

import base64
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

APPID = "wx4f4bc4dec97d474b"
TIMESTAMP = 1700000000  # 2023-11-14T22:13:20Z
WATERMARK = {"timestamp": TIMESTAMP, "appid": APPID}

# The sample key/IV published in WeChat's WXBizDataCrypt demo.
OFFICIAL_KEY = "tiihtNczf5v6AKRyjwEUhQ=="
OFFICIAL_IV = "r7BXXKkLb8qrSNn05n0qiA=="

# Bump this only if every derived key should change.
DERIVATION_LABEL = b"wxdecrypt test vectors v1"

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generated.json")


# --------------------------------------------------------------------------
# Crypto helpers (Python `cryptography`)
# --------------------------------------------------------------------------

def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def derive(entry_id: str, what: str) -> str:
    """A fixed 16-byte value (base64) for `what` ("key" or "iv") of an entry."""
    digest = hashlib.sha256(DERIVATION_LABEL + b"|" + what.encode() + b"|" + entry_id.encode())
    return b64(digest.digest()[:16])


def key_iv(entry_id: str, official: bool):
    if official:
        return OFFICIAL_KEY, OFFICIAL_IV
    return derive(entry_id, "key"), derive(entry_id, "iv")


def pkcs7_pad(data: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    return padder.update(data) + padder.finalize()


def cbc_encrypt_raw(key_b64: str, iv_b64: str, data: bytes) -> str:
    """AES-128-CBC without any padding; `data` must be a multiple of 16."""
    assert len(data) % 16 == 0, len(data)
    key, iv = base64.b64decode(key_b64), base64.b64decode(iv_b64)
    assert len(key) == 16 and len(iv) == 16
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return b64(enc.update(data) + enc.finalize())


def cbc_decrypt_raw(key_b64: str, iv_b64: str, ct_b64: str) -> bytes:
    key, iv = base64.b64decode(key_b64), base64.b64decode(iv_b64)
    ct = base64.b64decode(ct_b64, validate=True)
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return dec.update(ct) + dec.finalize()


def strict_unpad(data: bytes) -> bytes:
    """Strict PKCS#7: raises ValueError on any malformed padding."""
    unpadder = padding.PKCS7(128).unpadder()
    out = unpadder.update(data) + unpadder.finalize()
    # Cross-check cryptography's verdict with an explicit check.
    n = data[-1]
    assert 1 <= n <= 16 and data[-n:] == bytes([n]) * n
    return out


def own_pkcs7_ok(data: bytes) -> bool:
    if not data or len(data) % 16:
        return False
    n = data[-1]
    return 1 <= n <= 16 and data[-n:] == bytes([n]) * n


# --------------------------------------------------------------------------
# Strict JSON helpers used for verification
# --------------------------------------------------------------------------

class Duplicate(Exception):
    pass


def _no_dupes(pairs):
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise Duplicate(k)
        seen.add(k)
    return dict(pairs)


def _no_constants(name):
    # Python accepts NaN/Infinity by default; RFC 8259 JSON does not.
    raise ValueError("non-standard JSON constant " + name)


def strict_loads(text: str):
    """RFC 8259 parse that also rejects duplicate keys."""
    return json.loads(text, object_pairs_hook=_no_dupes, parse_constant=_no_constants)


def lenient_loads(text: str):
    """Standard parse that keeps the last duplicate (what many parsers do)."""
    return json.loads(text, parse_constant=_no_constants)


def depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


def has_lone_surrogate(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return False
        except UnicodeEncodeError:
            return True
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(v) for v in value)
    return False


# --------------------------------------------------------------------------
# Payload shapes, as the vectors assume them
# --------------------------------------------------------------------------

def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


# field -> (required, accepted types); "int" means a JSON integer.
SHAPES = {
    "phone": {
        "phoneNumber": (True, (str,)),
        "purePhoneNumber": (True, (str,)),
        "countryCode": (True, (str, "int")),  # string in most data, number in one doc sample
        "watermark": (True, ("watermark",)),
    },
    "user_info": {
        "openId": (True, (str,)),
        "nickName": (True, (str,)),
        "gender": (True, ("int",)),
        "language": (True, (str,)),
        "city": (True, (str,)),
        "province": (True, (str,)),
        "country": (True, (str,)),
        "avatarUrl": (True, (str,)),
        "unionId": (False, (str,)),
        "watermark": (True, ("watermark",)),
    },
    "werun": {
        "stepInfoList": (True, ("steps",)),
        "watermark": (True, ("watermark",)),
    },
    "share_info": {
        "openGId": (True, (str,)),
        "watermark": (True, ("watermark",)),
    },
    "group_enter_info": {
        "opengid": (False, (str,)),
        "open_single_roomid": (False, (str,)),
        "group_openid": (False, (str,)),
        "chat_type": (True, ("int",)),
        "watermark": (True, ("watermark",)),
    },
    "raw": {},
}


def _type_ok(value, accepted):
    for t in accepted:
        if t == "int" and _is_int(value):
            return True
        if t is str and isinstance(value, str):
            return True
        if t == "watermark" and isinstance(value, dict):
            return True  # fields checked separately
        if t == "steps" and isinstance(value, list):
            return True  # items checked separately
    return False


def shape_errors(kind: str, obj) -> list:
    """List of (reason, detail) where `obj` departs from the kind's shape."""
    errs = []
    for field, (required, accepted) in SHAPES[kind].items():
        if field not in obj:
            if required:
                errs.append(("missing_field", field))
            continue
        value = obj[field]
        if not _type_ok(value, accepted):
            errs.append(("wrong_type", field))
            continue
        if "watermark" in accepted:
            for sub, want in (("appid", str), ("timestamp", "int")):
                if sub not in value:
                    errs.append(("missing_field", "watermark." + sub))
                elif not _type_ok(value[sub], (want,)):
                    errs.append(("wrong_type", "watermark." + sub))
        if "steps" in accepted:
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    errs.append(("wrong_type", "stepInfoList[%d]" % i))
                    continue
                for sub in ("timestamp", "step"):
                    if sub not in item:
                        errs.append(("missing_field", "stepInfoList[%d].%s" % (i, sub)))
                    elif not _is_int(item[sub]):
                        errs.append(("wrong_type", "stepInfoList[%d].%s" % (i, sub)))
    return errs


def watermark_ok(obj) -> bool:
    wm = obj.get("watermark")
    return wm is not None and wm.get("appid") == APPID and wm.get("timestamp") == TIMESTAMP


# --------------------------------------------------------------------------
# Payload builders
# --------------------------------------------------------------------------

def compact(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def phone(number="13580006666", pure=None, cc="86", **extra):
    obj = {
        "phoneNumber": number,
        "purePhoneNumber": number if pure is None else pure,
        "countryCode": cc,
        "watermark": dict(WATERMARK),
    }
    obj.update(extra)
    return obj


PHONE = compact(phone())  # the baseline phone payload used by most rejects

AVATAR = ("https://thirdwx.qlogo.cn/mmopen/vi_32/"
          "Q0j4TwGTfTLvEs1ibmWxxDTyzN0YqHEdm5ZxLq9e0S4ldcicTia6oB3qfAKoN7mvhicibtjgXzvicfoCDrsbnpoj8WvA/132")


def user(nick, gender, city, province, country, union=None, avatar=AVATAR,
         open_id="oWxDec0TestOpenIdAAAAAAAAAAA"):
    obj = {
        "openId": open_id,
        "nickName": nick,
        "gender": gender,
        "language": "zh_CN",
        "city": city,
        "province": province,
        "country": country,
        "avatarUrl": avatar,
    }
    if union is not None:
        obj["unionId"] = union
    obj["watermark"] = dict(WATERMARK)
    return obj


def sha_int(label: str) -> int:
    return int.from_bytes(hashlib.sha256(DERIVATION_LABEL + b"|" + label.encode()).digest()[:8], "big")


def werun(days: int):
    # Midnight China time (UTC+8) of each day, the last one being the day of
    # the watermark (2023-11-15 00:00 +08:00 = 1699977600).
    last_midnight = 1699977600
    steps = []
    for i in range(days):
        ts = last_midnight - (days - 1 - i) * 86400
        step = sha_int("werun-step-%d" % i) % 25000
        steps.append({"timestamp": ts, "step": step})
    return {"stepInfoList": steps, "watermark": dict(WATERMARK)}


def raw_of_len(n: int) -> str:
    """A JSON object `{"k":"aaa..."}` that is exactly n bytes long."""
    s = '{"k":"' + "a" * (n - 8) + '"}'
    assert len(s.encode()) == n
    return s


def big_raw(n: int) -> str:
    """A JSON object exactly n bytes long, made of an array of short strings."""
    items = []
    body = '{"data":[]}'
    i = 0
    while True:
        item = '"%s"' % hashlib.sha256(b"%d" % i).hexdigest()[:24]
        extra = len(item) + (1 if items else 0)
        if len(body) + extra > n - 16:
            break
        items.append(item)
        body = '{"data":[' + ",".join(items) + "]}"
        i += 1
    # Fill the exact remainder with a padding string field.
    fill = n - len(body) - len(',"pad":""')
    body = body[:-1] + ',"pad":"' + "x" * fill + '"}'
    assert len(body.encode()) == n
    return body


# --------------------------------------------------------------------------
# decrypts: (id, kind, plaintext text, official key?, notes)
# --------------------------------------------------------------------------

WM = compact(WATERMARK)

DECRYPTS = [
    ("phone/baseline", "phone", PHONE, True,
     "Plain getPhoneNumber payload in the documented key order, countryCode as the string \"86\". "
     "Same payload that most rejects start from."),
    ("phone/country-code-number", "phone", compact(phone(cc=86)), True,
     "countryCode is the JSON NUMBER 86, as in WeChat's getuserphonenumber response sample "
     "(\"countryCode\": 86). A decoder must accept a number as well as a string here."),
    ("phone/foreign-number", "phone",
     compact(phone(number="+16505550100", pure="6505550100", cc="1")), True,
     "Non-Chinese number. WeChat documents that phoneNumber carries the country code for foreign "
     "numbers and purePhoneNumber does not; the exact layout (\"+\" then digits, no spaces) follows the "
     "Authing doc sample \"+86188xxxx8888\" and is an assumption, not captured data."),
    ("phone/unknown-fields", "phone",
     compact(phone(extraFlag=True, futureField={"nested": [1, 2, {"deep": None}]},
                   note="ignore me")).replace(
         WM, '{"timestamp":%d,"appid":"%s","version":2}' % (TIMESTAMP, APPID)), True,
     "Extra unknown fields at top level (bool, nested object/array with null, string) and inside "
     "watermark (\"version\"). They must be ignored, not rejected."),
    ("phone/watermark-first", "phone",
     '{"watermark":{"appid":"%s","timestamp":%d},"countryCode":"86",'
     '"purePhoneNumber":"13580006666","phoneNumber":"13580006666"}' % (APPID, TIMESTAMP), True,
     "Same data as phone/baseline with every key order reversed: watermark first, appid before "
     "timestamp, countryCode before the numbers."),
    ("phone/whitespace", "phone",
     '\n  {\r\n\t"phoneNumber" : "13580006666",\n  "purePhoneNumber":\t"13580006666" ,\n'
     '  "countryCode": "86",\n  "watermark": {\n    "appid": "%s",\n    "timestamp": %d\n  }\n}\n'
     % (APPID, TIMESTAMP), True,
     "Pretty-printed: leading newline, CRLF, tabs, spaces around ':' and ',', trailing newline. All "
     "legal JSON whitespace; it must not be treated as trailing garbage."),

    ("user_info/emoji-nickname", "user_info",
     compact(user("\U0001F43C\u718a\u732b Panda", 2, "Chengdu", "Sichuan", "CN",
                  union="oWxDec0TestUnionIdBBBBBBBBBBB")), False,
     "nickName holds raw UTF-8: U+1F43C (4-byte, astral plane) + CJK + ASCII. gender 2, with unionId."),
    ("user_info/escaped-surrogate-pair", "user_info",
     compact(user("PLACEHOLDER", 0, "", "", "")).replace(
         '"PLACEHOLDER"', '"\\u718a\\u732b\\ud83d\\udc3c"').replace(
         AVATAR, AVATAR.replace("/", "\\/")), False,
     "nickName written with \\u escapes, including the surrogate pair \\ud83d\\udc3c; it decodes to "
     "\"\u718a\u732b\U0001F43C\" (U+718A U+732B U+1F43C). avatarUrl uses the legal \\/ escape. gender 0, empty "
     "city/province/country, no unionId key."),
    ("user_info/empty-location-gender-0", "user_info",
     compact(user("Anon", 0, "", "", "")), False,
     "gender 0 (unknown), city/province/country all empty strings, no unionId key (app not bound to "
     "an open-platform account)."),
    ("user_info/gender-2-with-unionid", "user_info",
     compact(user("Lily", 2, "Shenzhen", "Guangdong", "CN", union="oWxDec0TestUnionIdCCCCCCCCCCC")),
     False,
     "gender 2 (female), unionId present."),

    ("werun/31-days", "werun", compact(werun(31)), False,
     "wx.getWeRunData shape: stepInfoList of 31 {timestamp, step} days (midnight UTC+8, oldest first) "
     "plus watermark. Step counts are SHA-256 derived. Medium-size input for throughput benches."),

    ("share_info/opengid", "share_info",
     compact({"openGId": "GWxDec0TestOpenGIdDDDDDDDDDD", "watermark": dict(WATERMARK)}), False,
     "wx.getShareInfo payload: openGId (capital G, I) plus watermark."),
    ("group_enter_info/all-fields", "group_enter_info",
     compact({"opengid": "GWxDec0TestOpenGIdEEEEEEEEEE",
              "open_single_roomid": "RWxDec0TestSingleRoomFFFFFFF",
              "group_openid": "oWxDec0TestGroupOpenIdGGGGGG",
              "chat_type": 3,
              "watermark": dict(WATERMARK)}), False,
     "wx.getGroupEnterInfo payload: opengid (lower-case g), open_single_roomid, group_openid, "
     "chat_type (number) plus watermark. Real data usually carries opengid OR open_single_roomid "
     "depending on chat_type; both are present here to exercise every field."),

    ("raw/len-15", "raw", raw_of_len(15), True,
     "15-byte plaintext: one block, pad byte 0x01."),
    ("raw/len-16", "raw", raw_of_len(16), True,
     "16-byte plaintext: a whole extra block of 0x10 padding (32-byte ciphertext)."),
    ("raw/len-17", "raw", raw_of_len(17), True,
     "17-byte plaintext: pad byte 0x0f."),
    ("raw/len-31", "raw", raw_of_len(31), True,
     "31-byte plaintext: pad byte 0x01."),
    ("raw/len-32", "raw", raw_of_len(32), True,
     "32-byte plaintext: a whole extra block of 0x10 padding (48-byte ciphertext)."),
    ("raw/len-2-empty-object", "raw", "{}", True,
     "Smallest object, pad byte 0x0e."),

    ("user_info/big-avatar-url", "user_info",
     compact(user("Big\U0001F43C", 1, "Hangzhou", "Zhejiang", "CN",
                  union="oWxDec0TestUnionIdHHHHHHHHHHH",
                  avatar=AVATAR[:-4] + "/" + "".join(
                      hashlib.sha256(b"%d" % i).hexdigest() for i in range(52)) + "/0")), False,
     "Big payload (over 3,000 bytes): user_info with an artificially long avatarUrl."),
    ("raw/16k", "raw", big_raw(16384), False,
     "Exactly 16,384-byte JSON object (array of short strings), so the padding is a full 0x10 block. "
     "For throughput benches."),
]


# --------------------------------------------------------------------------
# rejects: (id, reason, plaintext bytes, notes, kind for shape checks, official key?)
# bad_padding entries give the FULL block-aligned bytes to encrypt with no padding.
# --------------------------------------------------------------------------

def aligned(body: bytes, tail_len: int) -> bytes:
    """body padded with spaces before the closing brace so len % 16 == 16 - tail_len."""
    assert body.endswith(b"}")
    while (len(body) + tail_len) % 16:
        body = body[:-1] + b" }"
    return body


PHONE_B = PHONE.encode()


def bad_padding_cases():
    out = []
    # Last byte 0: zero is never a valid PKCS#7 pad length.
    b = aligned(PHONE_B, 4) + b"\x04\x04\x04\x00"
    out.append(("bad_padding/pad-byte-0", b,
                "Final byte 0x00 (after 04 04 04). Zero is never a valid pad length."))
    # Last byte 17: larger than the block size.
    b = aligned(PHONE_B, 1) + b"\x11"
    out.append(("bad_padding/pad-byte-17", b,
                "Final byte 0x11 = 17, larger than the 16-byte block."))
    # Last byte 0xff.
    b = aligned(PHONE_B, 1) + b"\xff"
    out.append(("bad_padding/pad-byte-0xff", b,
                "Final byte 0xff = 255 (the kind of value that crashed libraries which slice by it)."))
    # Pad 2 with the previous byte wrong.
    b = aligned(PHONE_B, 2) + b"\x01\x02"
    out.append(("bad_padding/pad-2-prev-wrong", b,
                "Ends ...01 02: claims 2 pad bytes but the second-to-last is 0x01. A decoder that only "
                "reads the last byte would strip 2 bytes and eat the closing brace."))
    # Pad 16 with one byte wrong.
    blk = bytearray(b"\x10" * 16)
    blk[7] = 0x0f
    b = aligned(PHONE_B, 0) + bytes(blk)
    out.append(("bad_padding/pad-16-one-wrong", b,
                "Last block should be sixteen 0x10 bytes; byte 7 of it is 0x0f."))
    # Pad 3 with the first pad byte wrong.
    b = aligned(PHONE_B, 3) + b"\x02\x03\x03"
    out.append(("bad_padding/pad-3-first-wrong", b,
                "Ends ...02 03 03: the first of three pad bytes is wrong."))
    # Pad byte 16 but only the last block is there, full of non-pad bytes.
    b = aligned(PHONE_B, 16) + b"}}}}}}}}}}}}}}}\x10"
    out.append(("bad_padding/pad-16-block-not-pad", b,
                "Final byte 0x10 but the other 15 bytes of the last block are '}' (0x7d)."))
    return out


REJECTS = []  # filled by build_rejects()


def build_rejects():
    r = []

    def add(rid, reason, data, notes, kind=None, official=False):
        r.append((rid, reason, data, notes, kind, official))

    for rid, data, notes in bad_padding_cases():
        add(rid, "bad_padding", data, notes + " Encrypted with NoPadding from raw bytes.", official=True)
    # Wrong key: valid phone ciphertext, but the session_key given is another one.
    add("bad_padding/wrong-session-key", "bad_padding", PHONE_B,
        "phone/baseline encrypted under a different key than the session_key given (stale "
        "session_key). With the given key every block is garbage and the padding is invalid.",
        kind="phone")

    # bad_utf8: valid PKCS#7, invalid UTF-8 inside the nickName string of user_info.
    u = compact(user("NICK", 1, "Chengdu", "Sichuan", "CN"))
    for rid, bad, what in [
        ("bad_utf8/lone-0xff", b"ab\xffcd", "a lone 0xff byte"),
        ("bad_utf8/overlong-slash", b"ab\xc0\xafcd", "the overlong 2-byte encoding C0 AF of '/'"),
        ("bad_utf8/truncated-cjk", b"ab\xe7\x86cd", "the first two bytes of U+718A (E7 86 8A) without the third"),
        ("bad_utf8/cesu8-surrogates", b"\xed\xa0\xbd\xed\xb1\xbc",
         "U+1F43C encoded as two 3-byte surrogates (CESU-8 / WTF-8: ED A0 BD ED B1 BC)"),
        ("bad_utf8/continuation-only", b"\x80\x80", "two bare continuation bytes 0x80"),
    ]:
        data = u.encode().replace(b'"NICK"', b'"' + bad + b'"')
        add(rid, "bad_utf8", data,
            "user_info whose nickName contains %s. Everything else is valid." % what, kind="user_info")

    # bad_json
    for rid, text, what in [
        ("bad_json/truncated", PHONE[:40], "phone payload cut after 40 bytes (unterminated string/object)"),
        ("bad_json/missing-close-brace", PHONE[:-1], "phone payload without its final '}'"),
        ("bad_json/trailing-comma", PHONE[:-1] + ",}", "phone payload with a trailing comma before '}'"),
        ("bad_json/single-quotes", PHONE.replace('"', "'"), "phone payload using single quotes"),
        ("bad_json/unquoted-key", PHONE.replace('"countryCode"', "countryCode"), "phone payload with an unquoted key"),
        ("bad_json/nan", PHONE.replace('"countryCode":"86"', '"countryCode":NaN'),
         "phone payload with countryCode NaN (not JSON; Python's json accepts it by default)"),
        ("bad_json/raw-newline-in-string", PHONE.replace('"13580006666"', '"135800\n06666"', 1),
         "phone payload with a raw, unescaped newline inside the phoneNumber string"),
        ("bad_json/empty", "", "empty plaintext (the ciphertext is one block of 0x10 padding)"),
        ("bad_json/whitespace-only", " \n\t ", "plaintext that is only whitespace"),
    ]:
        add(rid, "bad_json", text.encode(), "Not valid JSON: %s." % what, kind="phone", official=True)

    # not_an_object
    for rid, text, what in [
        ("not_an_object/array", "[" + PHONE + "]", "a valid phone object wrapped in an array"),
        ("not_an_object/string", json.dumps(PHONE), "the phone payload as a JSON string"),
        ("not_an_object/null", "null", "the JSON literal null"),
        ("not_an_object/number", "13580006666", "a bare number"),
    ]:
        add(rid, "not_an_object", text.encode(), "Valid JSON but %s; the top level must be an object." % what)

    # duplicate_key
    add("duplicate_key/phone/phoneNumber-twice", "duplicate_key",
        PHONE.replace('"phoneNumber":"13580006666"',
                      '"phoneNumber":"13580006666","phoneNumber":"13900000000"').encode(),
        "phone: phoneNumber appears twice with different values (first 13580006666, last 13900000000). "
        "First-wins and last-wins parsers disagree, so it must be rejected.", kind="phone")
    add("duplicate_key/phone/watermark-appid-twice", "duplicate_key",
        PHONE.replace('"appid":"%s"' % APPID,
                      '"appid":"wx0000000000000000","appid":"%s"' % APPID).encode(),
        "phone: watermark.appid appears twice, first wx0000000000000000 then the correct %s. A "
        "last-wins parser would pass an appid check." % APPID, kind="phone")
    add("duplicate_key/phone/watermark-twice", "duplicate_key",
        PHONE.replace('"watermark":', '"watermark":{"timestamp":1,"appid":"wx0000000000000000"},"watermark":').encode(),
        "phone: the whole watermark object appears twice (a wrong one first, the correct one last).",
        kind="phone")
    add("duplicate_key/user_info/nickName-same-value", "duplicate_key",
        compact(user("Same", 1, "Chengdu", "Sichuan", "CN")).replace(
            '"nickName":"Same"', '"nickName":"Same","nickName":"Same"').encode(),
        "user_info: nickName twice with the SAME value. Still a duplicate key.", kind="user_info")

    # wrong_type
    base_user = user("Tom", 1, "Chengdu", "Sichuan", "CN")
    for rid, obj, kind, what in [
        ("wrong_type/phone/phoneNumber-number", phone(number=13580006666, pure="13580006666"), "phone",
         "phoneNumber is the number 13580006666 instead of a string"),
        ("wrong_type/phone/purePhoneNumber-null", phone() | {"purePhoneNumber": None}, "phone",
         "purePhoneNumber is null"),
        ("wrong_type/phone/watermark-timestamp-string", phone() | {"watermark": {"timestamp": str(TIMESTAMP), "appid": APPID}},
         "phone", "watermark.timestamp is the string \"%d\"" % TIMESTAMP),
        ("wrong_type/phone/watermark-array", phone() | {"watermark": [TIMESTAMP, APPID]}, "phone",
         "watermark is an array instead of an object"),
        ("wrong_type/phone/countryCode-bool", phone(cc=True), "phone",
         "countryCode is true (only a string or a number is allowed)"),
        ("wrong_type/user_info/gender-string", dict(base_user, gender="1"), "user_info",
         "gender is the string \"1\" instead of a number"),
        ("wrong_type/werun/step-string", werun(2) | {"stepInfoList": [{"timestamp": 1699891200, "step": "1234"},
                                                                      {"timestamp": 1699977600, "step": 5678}]},
         "werun", "stepInfoList[0].step is the string \"1234\""),
        ("wrong_type/share_info/openGId-number", {"openGId": 12345, "watermark": dict(WATERMARK)}, "share_info",
         "openGId is a number"),
        ("wrong_type/group_enter_info/chat_type-string",
         {"opengid": "GWxDec0TestOpenGIdEEEEEEEEEE", "group_openid": "oWxDec0TestGroupOpenIdGGGGGG",
          "chat_type": "3", "watermark": dict(WATERMARK)}, "group_enter_info",
         "chat_type is the string \"3\" instead of a number"),
    ]:
        add(rid, "wrong_type", compact(obj).encode(), "%s: %s. Everything else is valid." % (kind, what), kind=kind)

    # missing_field
    p = phone()
    user_no_wm = dict(base_user)
    for rid, obj, kind, what in [
        ("missing_field/phone/purePhoneNumber", {k: v for k, v in p.items() if k != "purePhoneNumber"},
         "phone", "no purePhoneNumber"),
        ("missing_field/phone/phoneNumber", {k: v for k, v in p.items() if k != "phoneNumber"},
         "phone", "no phoneNumber"),
        ("missing_field/phone/countryCode", {k: v for k, v in p.items() if k != "countryCode"},
         "phone", "no countryCode"),
        ("missing_field/phone/watermark-appid", p | {"watermark": {"timestamp": TIMESTAMP}},
         "phone", "watermark present but without appid"),
        ("missing_field/phone/watermark-timestamp", p | {"watermark": {"appid": APPID}},
         "phone", "watermark present but without timestamp"),
        ("missing_field/werun/stepInfoList", {"watermark": dict(WATERMARK)},
         "werun", "no stepInfoList (only a watermark)"),
        ("missing_field/werun/step", werun(2) | {"stepInfoList": [{"timestamp": 1699891200},
                                                                  {"timestamp": 1699977600, "step": 5678}]},
         "werun", "stepInfoList[0] has a timestamp but no step"),
        ("missing_field/share_info/openGId", {"watermark": dict(WATERMARK)},
         "share_info", "no openGId (only a watermark)"),
    ]:
        add(rid, "missing_field", compact(obj).encode(),
            "%s: %s. Everything else is valid." % (kind, what), kind=kind)

    # trailing_garbage
    for rid, data, what in [
        ("trailing_garbage/letter", PHONE_B + b"x", "the letter 'x'"),
        ("trailing_garbage/second-object", PHONE_B + PHONE_B, "a second copy of the whole object"),
        ("trailing_garbage/close-bracket", PHONE_B + b"]", "a stray ']'"),
        ("trailing_garbage/nul-bytes", PHONE_B + b"\x00\x00\x00",
         "three NUL bytes, as left by an encryptor that zero-pads before PKCS#7 (NULs after the "
         "value, so this is classed as trailing garbage, not nul_in_json)"),
        ("trailing_garbage/after-whitespace", PHONE_B + b"\n\n1", "whitespace then the number 1"),
    ]:
        add(rid, "trailing_garbage", data,
            "A complete, valid phone object followed by %s. Correct PKCS#7." % what, kind="phone")

    # bom
    add("bom/utf8-bom", "bom", b"\xef\xbb\xbf" + PHONE_B,
        "phone payload preceded by the UTF-8 BOM EF BB BF. RFC 8259 forbids emitting it and "
        "serde_json rejects it; without the BOM the payload is valid.", kind="phone")
    add("bom/utf8-bom-after-space", "bom", b" \xef\xbb\xbf" + PHONE_B,
        "phone payload preceded by a space and then the UTF-8 BOM (U+FEFF is not JSON whitespace).",
        kind="phone")

    # lone_surrogate: the \u escape is legal JSON syntax but names no Unicode scalar.
    nick_base = compact(user("NICK", 1, "Chengdu", "Sichuan", "CN"))
    for rid, esc, what in [
        ("lone_surrogate/high", "ab\\ud83dcd", "a high surrogate \\ud83d followed by plain text"),
        ("lone_surrogate/high-at-end", "ab\\ud83d", "a high surrogate \\ud83d at the end of the string"),
        ("lone_surrogate/low", "\\udc3c", "a lone low surrogate \\udc3c"),
        ("lone_surrogate/reversed-pair", "\\udc3c\\ud83d", "a low surrogate then a high one (pair reversed)"),
        ("lone_surrogate/high-then-bmp-escape", "\\ud83d\\u0041", "a high surrogate followed by the escape \\u0041"),
    ]:
        add(rid, "lone_surrogate", nick_base.replace('"NICK"', '"%s"' % esc).encode(),
            "user_info whose nickName contains %s. It cannot become a Rust String." % what, kind="user_info")

    # deep_nesting
    add("deep_nesting/200-arrays", "deep_nesting",
        PHONE.replace('"countryCode"', '"x":' + "[" * 200 + "]" * 200 + ',"countryCode"').encode(),
        "phone payload with an extra field holding 200 nested empty arrays (above serde_json's "
        "default recursion limit of 128). Must fail cleanly, not overflow the stack.", kind="phone")
    add("deep_nesting/1000-objects", "deep_nesting",
        PHONE.replace('"countryCode"', '"x":' + '{"a":' * 1000 + "0" + "}" * 1000 + ',"countryCode"').encode(),
        "phone payload with an extra field holding 1000 nested objects {\"a\":{\"a\":...0}}.", kind="phone")

    # nul_in_json: a raw NUL between tokens (outside strings).
    for rid, data, what in [
        ("nul_in_json/between-members", PHONE_B.replace(b',"purePhoneNumber"', b',\x00"purePhoneNumber"'),
         "after the first comma"),
        ("nul_in_json/leading", b"\x00" + PHONE_B, "before the opening brace"),
        ("nul_in_json/before-colon", PHONE_B.replace(b'"countryCode":', b'"countryCode"\x00:'),
         "between a key and its colon"),
    ]:
        add(rid, "nul_in_json", data,
            "phone payload with a raw NUL byte (0x00) %s, outside any string; without it the "
            "payload is valid." % what, kind="phone")

    return r


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------

def verify_decrypt(e):
    raw = cbc_decrypt_raw(e["session_key"], e["iv"], e["encrypted_data"])
    pt = strict_unpad(raw)
    text = pt.decode("utf-8")
    assert text == e["plaintext"], e["id"]
    obj = strict_loads(text)
    assert isinstance(obj, dict), e["id"]
    assert not has_lone_surrogate(obj), e["id"]
    assert depth(obj) <= 64, e["id"]
    assert shape_errors(e["kind"], obj) == [], (e["id"], shape_errors(e["kind"], obj))
    if "watermark" in obj:
        assert watermark_ok(obj), e["id"]
        assert e["watermark_timestamp"] == TIMESTAMP
    else:
        assert "watermark_timestamp" not in e


def verify_reject(e, data, kind):
    """Show that the entry fails for e["reason"] and for nothing earlier."""
    reason = e["reason"]
    raw = cbc_decrypt_raw(e["session_key"], e["iv"], e["encrypted_data"])
    assert len(raw) % 16 == 0 and len(raw) > 0
    if reason == "bad_padding":
        assert not own_pkcs7_ok(raw), e["id"]
        try:
            strict_unpad(raw)
        except (ValueError, AssertionError):
            return
        raise AssertionError("padding unexpectedly valid: " + e["id"])

    # Every other reason: padding is fine and gives back exactly the crafted bytes.
    pt = strict_unpad(raw)
    assert pt == data, e["id"]
    if reason == "bad_utf8":
        try:
            pt.decode("utf-8")
        except UnicodeDecodeError:
            # Only the nickName is broken: with it replaced, the payload is fine.
            fixed = pt.decode("utf-8", errors="replace")
            assert shape_errors(kind, strict_loads(fixed)) == []
            return
        raise AssertionError("valid UTF-8: " + e["id"])

    text = pt.decode("utf-8")  # all other reasons are valid UTF-8
    if reason == "bad_json":
        # Not a NUL, BOM or trailing-garbage case: no complete JSON value at the start.
        assert "\x00" not in text and "\ufeff" not in text
        try:
            json.JSONDecoder(parse_constant=_no_constants).raw_decode(text.lstrip(" \t\r\n"))
        except ValueError:
            pass
        else:
            raise AssertionError("has a valid JSON prefix: " + e["id"])
        try:
            strict_loads(text)
        except (ValueError, Duplicate):
            pass
        else:
            raise AssertionError("parsed: " + e["id"])
        try:
            lenient_loads(text)
        except ValueError:
            return
        raise AssertionError("lenient parse succeeded: " + e["id"])
    if reason == "not_an_object":
        assert not isinstance(strict_loads(text), dict), e["id"]
        return
    if reason == "duplicate_key":
        try:
            strict_loads(text)
        except Duplicate:
            obj = lenient_loads(text)  # last-wins: otherwise a perfectly valid payload
            assert shape_errors(kind, obj) == [] and watermark_ok(obj), e["id"]
            return
        raise AssertionError("no duplicate: " + e["id"])
    if reason in ("wrong_type", "missing_field"):
        obj = strict_loads(text)
        assert isinstance(obj, dict)
        errs = shape_errors(kind, obj)
        assert errs and all(r == reason for r, _ in errs), (e["id"], errs)
        if "watermark" in obj and isinstance(obj["watermark"], dict) and \
                {"appid", "timestamp"} <= set(obj["watermark"]) and reason != "wrong_type":
            assert watermark_ok(obj), e["id"]
        return
    if reason == "trailing_garbage":
        try:
            strict_loads(text)
        except ValueError as err:
            assert "Extra data" in str(err), (e["id"], err)
        else:
            raise AssertionError("parsed: " + e["id"])
        obj, end = json.JSONDecoder(object_pairs_hook=_no_dupes).raw_decode(text)
        assert text[end:].strip() != ""
        assert shape_errors(kind, obj) == [] and watermark_ok(obj)
        return
    if reason == "bom":
        assert "\ufeff" in text
        try:
            strict_loads(text)
        except ValueError:
            pass
        else:
            raise AssertionError("parsed: " + e["id"])
        obj = strict_loads(text.replace("\ufeff", ""))
        assert shape_errors(kind, obj) == [] and watermark_ok(obj)
        return
    if reason == "lone_surrogate":
        obj = strict_loads(text)  # Python keeps lone surrogates in str
        assert has_lone_surrogate(obj), e["id"]
        assert shape_errors(kind, obj) == [] and watermark_ok(obj)
        return
    if reason == "deep_nesting":
        obj = strict_loads(text)
        assert depth(obj) >= 200, e["id"]
        assert shape_errors(kind, obj) == [] and watermark_ok(obj)
        return
    if reason == "nul_in_json":
        # The NUL is outside strings (JSON strings in these payloads never contain one)
        # and not merely trailing after the value (that is trailing_garbage).
        assert "\x00" in text.rstrip("\x00 \t\r\n")
        try:
            strict_loads(text)
        except ValueError:
            pass
        else:
            raise AssertionError("parsed: " + e["id"])
        obj = strict_loads(text.replace("\x00", ""))
        assert shape_errors(kind, obj) == [] and watermark_ok(obj)
        return
    raise AssertionError("unknown reason " + reason)


REASONS = {"bad_padding", "bad_utf8", "bad_json", "not_an_object", "duplicate_key", "wrong_type",
           "missing_field", "trailing_garbage", "bom", "lone_surrogate", "deep_nesting", "nul_in_json"}
KINDS = {"phone", "user_info", "werun", "share_info", "group_enter_info", "raw"}


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main():
    sys.setrecursionlimit(20000)  # for the 1000-level nesting case
    decrypts = []
    for rid, kind, text, official, notes in DECRYPTS:
        assert kind in KINDS
        key, iv = key_iv(rid, official)
        pt = text.encode("utf-8")
        entry = {
            "id": rid,
            "kind": kind,
            "appid": APPID,
            "session_key": key,
            "iv": iv,
            "encrypted_data": cbc_encrypt_raw(key, iv, pkcs7_pad(pt)),
            "plaintext": text,
            "notes": notes + " (%d-byte plaintext, pad 0x%02x)" % (len(pt), 16 - len(pt) % 16),
        }
        if '"watermark"' in text:
            entry["watermark_timestamp"] = TIMESTAMP
        verify_decrypt(entry)
        decrypts.append(entry)

    rejects = []
    for rid, reason, data, notes, kind, official in build_rejects():
        assert reason in REASONS
        key, iv = key_iv(rid, official)
        if reason == "bad_padding" and rid == "bad_padding/wrong-session-key":
            # Encrypt under another derived key; publish the entry's own key.
            enc_key = derive(rid, "real-key")
            ct = cbc_encrypt_raw(enc_key, iv, pkcs7_pad(data))
        elif reason == "bad_padding":
            ct = cbc_encrypt_raw(key, iv, data)  # already block aligned, no padding added
        else:
            ct = cbc_encrypt_raw(key, iv, pkcs7_pad(data))
        entry = {
            "id": rid,
            "session_key": key,
            "iv": iv,
            "encrypted_data": ct,
            "reason": reason,
            "notes": notes,
        }
        verify_reject(entry, data, kind)
        rejects.append(entry)

    ids = [e["id"] for e in decrypts + rejects]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert sum(e["reason"] == "bad_padding" for e in rejects) >= 5
    assert {e["reason"] for e in rejects} == REASONS

    out = json.dumps({"decrypts": decrypts, "rejects": rejects}, indent=1, ensure_ascii=False) + "\n"
    with open(OUT_PATH, "w", encoding="utf-8", newline="\n") as f:
        f.write(out)
    print("wrote %s: %d decrypts, %d rejects" % (os.path.relpath(OUT_PATH), len(decrypts), len(rejects)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
