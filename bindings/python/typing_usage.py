"""A small program that uses every public name of the package, checked by
``mypy --strict`` in CI (ci.sh) against the stub; not a test, not run.

It also shows the types a caller gets: ``reveal_type`` is left out so that
the file stays importable, and the annotations say what mypy must infer.
"""

from typing import Any, Dict, List, Optional, Tuple

import wxdecrypt


def phone(session_key: str, iv: str, encrypted_data: str) -> Dict[str, Any]:
    p: wxdecrypt.PhoneNumber = wxdecrypt.decrypt_phone(
        session_key, iv, encrypted_data, appid="wx4f4bc4dec97d474b", now=1_700_000_000,
        max_age=600, leeway=60, lenient_base64=True, accept_missing_watermark=False,
    )
    number: str = p.phone_number + p.pure_phone_number + p.country_code
    mark: Optional[wxdecrypt.Watermark] = p.watermark
    if mark is not None:
        stamp: int = mark.timestamp
        appid: str = mark.appid
        print(stamp, appid, mark.to_dict())
    e164: Optional[str] = p.e164()
    print(number, e164, p.masked())
    return p.to_dict()


def user(key: wxdecrypt.SessionKey, iv: bytes, data: bytes) -> Optional[str]:
    u: wxdecrypt.UserInfo = wxdecrypt.decrypt_user_info(key, iv, data, appid="wx1")
    gender: int = u.gender
    fields: List[str] = [u.nick_name, u.language, u.city, u.province, u.country, u.avatar_url]
    print(gender, fields, u.to_dict(), u.watermark)
    raw: Dict[str, Any] = wxdecrypt.decrypt_raw(key, iv, data, appid="wx1")
    print(raw)
    return u.open_id or u.union_id


def race(current: str, previous: wxdecrypt.SessionKey, iv: str, data: str) -> int:
    found: Tuple[int, wxdecrypt.PhoneNumber] = wxdecrypt.decrypt_phone_with_keys(
        [current, previous], iv, data, appid="wx1"
    )
    index, _ = wxdecrypt.decrypt_user_info_with_keys((current,), iv, data, appid="wx1")
    assert wxdecrypt.MAX_CANDIDATE_KEYS >= 2
    return found[0] + index


def errors(body: str) -> Optional[int]:
    try:
        wxdecrypt.parse_phone_response(body, appid="wx1", now=None, max_age=None, leeway=None)
    except wxdecrypt.ApiError as e:
        retry: bool = e.retryable
        print(retry)
        return e.code
    except wxdecrypt.Error as e:
        assert isinstance(e, ValueError)
    for cls in (wxdecrypt.InputError, wxdecrypt.DecryptionError, wxdecrypt.PolicyError):
        assert issubclass(cls, wxdecrypt.Error)
    try:
        wxdecrypt.SessionKey("short")
    except wxdecrypt.InputError as e:
        field: Optional[str] = e.field
        print(field)
    return None


def flows(body: str) -> str:
    session: wxdecrypt.Code2Session = wxdecrypt.parse_code2session(body)
    key: wxdecrypt.SessionKey = session.session_key
    unionid: Optional[str] = session.unionid
    print(session.openid, unionid, key.checksession_signature(), key.session_signature(b"{}"))
    ok: bool = wxdecrypt.verify_raw_data("{}", "0" * 40, key)
    print(ok)
    requests: List[wxdecrypt.Request] = [
        wxdecrypt.get_user_phone_number_request("TOKEN", "CODE"),
        wxdecrypt.code2session_request("wx1", "SECRET", "JSCODE"),
        wxdecrypt.authing_phone_request("https://x.authing.cn", "conn", "CODE"),
    ]
    for r in requests:
        body_text: Optional[str] = r.body
        content_type: Optional[str] = r.content_type
        print(r.method, r.url, body_text, content_type)
    report: wxdecrypt.Diagnosis = wxdecrypt.diagnose("k", "i", "d", appid="")
    stage: Optional[str] = report.stage
    again: Optional[wxdecrypt.Diagnosis] = report.after_repair
    print(report.is_valid, stage, again, report.report)
    limits: int = wxdecrypt.DEFAULT_MAX_AGE + wxdecrypt.DEFAULT_LEEWAY + wxdecrypt.MAX_ENCRYPTED_DATA_LEN
    return str(limits)
