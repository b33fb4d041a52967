"""The newer flows and the extras: every response fixture through
``parse_phone_response`` (the same JSON as ``wxdecrypt phone-response``, or
an ``ApiError`` with its code), ``parse_code2session`` into a key that never
shows itself, the request builders, the signatures of the vectors."""

import copy
import json
import pickle
from typing import Optional

import pytest

import wxdecrypt
from conftest import REAL, RESPONSES, Cli

APPID = "wx4f4bc4dec97d474b"
NOW = 1637744300


def body(name: str) -> str:
    return (RESPONSES / name).read_text(encoding="utf-8")


OK = ["getuserphonenumber-ok.json", "cloud-call-ok.json", "authing-ok.json"]
FAILING = {
    "getuserphonenumber-40029.json": 40029,
    "getuserphonenumber-busy.json": -1,
    "cloud-call-40029.json": 40029,
    "authing-error.json": 2001,
    "getuserphonenumber-doc-sample.json": None,  # "xxxxxx" is no number
    "authing-doc-sample.json": None,
    "authing-doc-sample-zh.json": None,
}


@pytest.mark.parametrize("name", OK)
@pytest.mark.parametrize("appid", [None, APPID])
def test_ok_responses_are_the_cli_json(cli: Cli, name: str, appid: Optional[str]) -> None:
    p = wxdecrypt.parse_phone_response(body(name), appid=appid, now=NOW)
    flags = ["phone-response", "--input", "-", "--now", str(NOW)]
    if appid:
        flags += ["--appid", appid]
    code, out, err = cli.run(flags, body(name))
    assert code == 0, err
    assert p.to_dict() == json.loads(out)
    data = json.loads(body(name))
    phone = data.get("phone_info") or data.get("phoneInfo") or data["data"]
    assert p.pure_phone_number == phone["purePhoneNumber"]
    assert p.country_code == "86"
    if appid and "data" not in data:
        assert p.watermark is not None
        assert (p.watermark.appid, p.watermark.timestamp) == (APPID, phone["watermark"]["timestamp"])
    else:
        assert p.watermark is None


@pytest.mark.parametrize("name", sorted(FAILING))
def test_failing_responses_raise_api_error_with_the_code(cli: Cli, name: str) -> None:
    with pytest.raises(wxdecrypt.ApiError) as info:
        wxdecrypt.parse_phone_response(body(name), appid=APPID, now=NOW)
    assert info.value.code == FAILING[name]
    assert info.value.retryable == (FAILING[name] == -1)
    code, _, err = cli.run(["phone-response", "--input", "-", "--now", str(NOW), "--appid", APPID], body(name))
    assert code == 1 and str(info.value) == cli.message(err)


def test_watermark_failures_are_api_errors() -> None:
    text = body("getuserphonenumber-ok.json")
    for kw in ({"appid": "wxother"}, {"appid": APPID, "now": NOW + 7200}, {"appid": APPID, "now": NOW, "max_age": 1, "leeway": 0}):
        with pytest.raises(wxdecrypt.ApiError) as info:
            wxdecrypt.parse_phone_response(text, **dict({"now": NOW}, **kw))  # type: ignore[arg-type]
        assert info.value.code is None and "watermark is refused" in str(info.value)
    stripped = json.loads(text)
    del stripped["phone_info"]["watermark"]
    with pytest.raises(wxdecrypt.ApiError) as info:
        wxdecrypt.parse_phone_response(json.dumps(stripped), appid=APPID, now=NOW)
    assert "no watermark" in str(info.value)


def test_malformed_responses() -> None:
    for text in ["", "[]", '{"errcode":0,"errcode":0}', '{"errcode":0,"errmsg":"ok"}', '{"x":1}', "{" * 100]:
        with pytest.raises(wxdecrypt.ApiError) as info:
            wxdecrypt.parse_phone_response(text)
        assert info.value.code is None
    with pytest.raises(wxdecrypt.ApiError) as info:
        wxdecrypt.parse_phone_response(" " * (64 * 1024 + 1))
    assert "too large" in str(info.value)


def test_code2session_key_never_shows() -> None:
    session = wxdecrypt.parse_code2session(body("code2session-ok.json"))
    data = json.loads(body("code2session-ok.json"))
    assert session.openid == data["openid"] and session.unionid == data["unionid"]
    key = session.session_key
    for text in (repr(session), str(session), repr(key), str(key)):
        assert data["session_key"] not in text and data["openid"] not in text
    assert not [name for name in dir(key) if not name.startswith("_") and "signature" not in name]
    for attempt in (lambda: pickle.dumps(key), lambda: copy.copy(key), lambda: copy.deepcopy(key)):
        with pytest.raises(wxdecrypt.Error):
            attempt()
    # The key object decrypts like its text.
    sample = next(c for c in REAL["decrypts"] if c["id"] == "official-wxbizdatacrypt-userinfo")
    u = wxdecrypt.decrypt_user_info(key, sample["iv"], sample["encrypted_data"], appid=APPID, now=1477314187)
    assert u.nick_name == "Band"
    with pytest.raises(wxdecrypt.ApiError) as info:
        wxdecrypt.parse_code2session(body("code2session-40029.json"))
    assert info.value.code == 40029


def test_bad_session_key_in_code2session_is_an_api_error() -> None:
    with pytest.raises(wxdecrypt.ApiError) as info:
        wxdecrypt.parse_code2session('{"openid":"o1","session_key":"c2VjcmV0"}')
    assert "c2VjcmV0" not in str(info.value) and info.value.code is None


def test_candidate_keys_say_which_worked() -> None:
    sample = next(c for c in REAL["decrypts"] if c["id"] == "gopay-phone")
    kw = {"appid": sample["appid"], "now": sample["watermark_timestamp"]}
    stale = "tiihtNczf5v6AKRyjwEUhQ=="
    index, p = wxdecrypt.decrypt_phone_with_keys((stale, sample["session_key"]), sample["iv"], sample["encrypted_data"], **kw)
    assert index == 1 and p.pure_phone_number == json.loads(sample["plaintext"])["purePhoneNumber"]
    index, _ = wxdecrypt.decrypt_phone_with_keys([wxdecrypt.SessionKey(sample["session_key"])], sample["iv"], sample["encrypted_data"], **kw)
    assert index == 0
    with pytest.raises(wxdecrypt.DecryptionError):
        wxdecrypt.decrypt_phone_with_keys([stale, stale], sample["iv"], sample["encrypted_data"], **kw)
    user = next(c for c in REAL["decrypts"] if c["id"] == "official-wxbizdatacrypt-userinfo")
    index, u = wxdecrypt.decrypt_user_info_with_keys(
        [sample["session_key"], user["session_key"]], user["iv"], user["encrypted_data"], appid=APPID, now=1477314187
    )
    assert index == 1 and u.nick_name == "Band"


@pytest.mark.parametrize("case", REAL["signatures"], ids=[c["kind"] + "-" + c["signature"][:8] for c in REAL["signatures"]])
def test_signature_vectors(case: dict) -> None:  # type: ignore[type-arg]
    if case["kind"] == "rawdata_sha1":
        assert wxdecrypt.verify_raw_data(case["raw_data"], case["signature"], case["session_key"]) is case["matches"]
        assert wxdecrypt.verify_raw_data(case["raw_data"] + " ", case["signature"], case["session_key"]) is False
        assert wxdecrypt.verify_raw_data(case["raw_data"], case["signature"], wxdecrypt.SessionKey(case["session_key"]))
    else:
        key = wxdecrypt.SessionKey(case["session_key"])
        assert (key.session_signature(case["message"]) == case["signature"]) is case["matches"]


def test_stale_key_of_a_real_report_fails_the_signature() -> None:
    case = next(c for c in REAL["does_not_decrypt"] if c.get("signature_matches_session_key") is False)
    assert wxdecrypt.verify_raw_data(case["raw_data"], case["signature"], case["session_key"]) is False


def test_request_builders() -> None:
    r = wxdecrypt.get_user_phone_number_request("TOKEN/+", "CODE\"")
    assert (r.method, r.content_type) == ("POST", "application/json")
    assert r.url == "https://api.weixin.qq.com/wxa/business/getuserphonenumber?access_token=TOKEN%2F%2B"
    assert r.body is not None and json.loads(r.body) == {"code": 'CODE"'}
    assert "TOKEN" not in repr(r)
    r = wxdecrypt.code2session_request(APPID, "SECRET", "JSCODE")
    assert (r.method, r.body, r.content_type) == ("GET", None, None)
    assert "secret=SECRET" in r.url and "SECRET" not in repr(r) and "JSCODE" not in repr(r)
    r = wxdecrypt.authing_phone_request("https://example.authing.cn", "conn", "CODE")
    assert r.url == "https://example.authing.cn/api/v3/get-wechat-miniprogram-phone"
    assert r.body is not None and json.loads(r.body) == {"code": "CODE", "extIdpConnidentifier": "conn"}
    for call, field in (
        (lambda: wxdecrypt.get_user_phone_number_request("", "c"), "access_token"),
        (lambda: wxdecrypt.get_user_phone_number_request("t", "a\nb"), "code"),
        (lambda: wxdecrypt.code2session_request("x" * 65, "s", "c"), "appid"),
        (lambda: wxdecrypt.authing_phone_request("http://plain", "c", "c"), "Authing app host"),
        (lambda: wxdecrypt.code2session_request(None, "s", "c"), "appid"),  # type: ignore[arg-type]
    ):
        with pytest.raises(wxdecrypt.InputError) as info:
            call()
        assert info.value.field == field
