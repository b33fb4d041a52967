"""Every decryptable vector of the repository through the Python API, with
exact answers: the values from the vector's own plaintext, and ``to_dict()``
equal to what the ``wxdecrypt`` command prints for the same inputs."""

import json
from typing import Any, Dict, List

import pytest

import wxdecrypt
from conftest import GENERATED, GENERATED_APPID, GENERATED_NOW, OFFICIAL, REAL, Cli


def cases(kind: str) -> List[Dict[str, Any]]:
    real = [c for c in REAL["decrypts"] if c["kind"] == kind]
    generated = [
        dict(c, watermark_timestamp=c.get("watermark_timestamp"))
        for c in GENERATED["decrypts"]
        if c["kind"] == kind
    ]
    return real + generated


def ids(items: List[Dict[str, Any]]) -> List[str]:
    return [c["id"] for c in items]


def now_of(case: Dict[str, Any]) -> int:
    return case.get("watermark_timestamp") or GENERATED_NOW


def appid_of(case: Dict[str, Any]) -> str:
    return case.get("appid") or GENERATED_APPID


def kwargs(case: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "appid": appid_of(case),
        "now": now_of(case),
        "accept_missing_watermark": "watermark" not in json.loads(case["plaintext"]),
    }


def expected_watermark(case: Dict[str, Any], plain: Dict[str, Any]) -> Any:
    if "watermark" not in plain:
        return None
    mark = plain["watermark"]
    return {"appid": mark["appid"], "timestamp": mark["timestamp"]}


PHONES = cases("phone")
USERS = cases("user_info")
ALL = REAL["decrypts"] + GENERATED["decrypts"]


def test_every_real_vector_is_covered() -> None:
    # The typed functions cover phone and user_info; decrypt_raw covers all.
    assert len(PHONES) >= 2 + 5 and len(USERS) >= 2 + 5
    assert len(ALL) == len(REAL["decrypts"]) + len(GENERATED["decrypts"]) == 28


@pytest.mark.parametrize("case", PHONES, ids=ids(PHONES))
def test_phone(case: Dict[str, Any]) -> None:
    plain = json.loads(case["plaintext"])
    p = wxdecrypt.decrypt_phone(case["session_key"], case["iv"], case["encrypted_data"], **kwargs(case))
    assert p.phone_number == plain["phoneNumber"]
    assert p.pure_phone_number == plain["purePhoneNumber"]
    # "86" whether WeChat sent "86", "+86" or 86.
    assert p.country_code == str(plain["countryCode"]).lstrip("+")
    assert isinstance(p.country_code, str)
    assert p.watermark is not None
    assert p.watermark.appid == plain["watermark"]["appid"] == appid_of(case)
    assert p.watermark.timestamp == plain["watermark"]["timestamp"] == case["watermark_timestamp"]
    assert p.to_dict() == {
        "phoneNumber": plain["phoneNumber"],
        "purePhoneNumber": plain["purePhoneNumber"],
        "countryCode": p.country_code,
        "watermark": expected_watermark(case, plain),
    }
    assert p.e164() == "+" + p.country_code + p.pure_phone_number
    masked = p.masked()
    assert "****" in masked and masked != p.pure_phone_number
    assert p.pure_phone_number not in repr(p) and masked in repr(p)


@pytest.mark.parametrize("case", USERS, ids=ids(USERS))
def test_user_info(case: Dict[str, Any]) -> None:
    plain = json.loads(case["plaintext"])
    u = wxdecrypt.decrypt_user_info(case["session_key"], case["iv"], case["encrypted_data"], **kwargs(case))
    assert u.open_id == plain.get("openId")
    assert u.nick_name == plain["nickName"]
    assert u.gender == plain["gender"]
    assert u.language == plain.get("language", "")
    assert u.city == plain.get("city", "")
    assert u.province == plain.get("province", "")
    assert u.country == plain.get("country", "")
    assert u.avatar_url == plain.get("avatarUrl", "")
    assert u.union_id == plain.get("unionId")
    expected = {k: v for k, v in plain.items() if k != "watermark"}
    expected["watermark"] = expected_watermark(case, plain)
    assert u.to_dict() == expected
    assert u.nick_name not in repr(u)
    if u.open_id:
        assert u.open_id not in repr(u)


@pytest.mark.parametrize("case", ALL, ids=ids(ALL))
def test_raw(case: Dict[str, Any]) -> None:
    raw = wxdecrypt.decrypt_raw(case["session_key"], case["iv"], case["encrypted_data"], **kwargs(case))
    assert raw == json.loads(case["plaintext"])


def test_official_sample_file() -> None:
    u = wxdecrypt.decrypt_user_info(
        OFFICIAL["session_key"], OFFICIAL["iv"], OFFICIAL["encrypted_data"],
        appid=OFFICIAL["appid"], now=1477314187,
    )
    assert (u.nick_name, u.city, u.watermark and u.watermark.timestamp) == ("Band", "Guangzhou", 1477314187)


def test_plus_turned_into_space_is_repaired_only_when_asked() -> None:
    (case,) = [c for c in REAL["decrypts"] if c["id"] == "wxjava-issue-666-plus-as-space-phone"]
    damaged = case["encrypted_data_as_reported"]
    with pytest.raises(wxdecrypt.InputError) as info:
        wxdecrypt.decrypt_phone(case["session_key"], case["iv"], damaged, **kwargs(case))
    assert info.value.field == "encrypted_data"
    assert "contains a space" in str(info.value)
    p = wxdecrypt.decrypt_phone(case["session_key"], case["iv"], damaged, lenient_base64=True, **kwargs(case))
    assert p.pure_phone_number == json.loads(case["plaintext"])["purePhoneNumber"]


# ----- The same answers as the command -----


@pytest.mark.parametrize("case", PHONES, ids=ids(PHONES))
def test_phone_to_dict_is_the_cli_json(cli: Cli, case: Dict[str, Any]) -> None:
    code, out, err = cli.decrypt("phone", dict(case, appid=appid_of(case)), "--now", str(now_of(case)))
    assert code == 0, err
    p = wxdecrypt.decrypt_phone(case["session_key"], case["iv"], case["encrypted_data"], **kwargs(case))
    assert p.to_dict() == json.loads(out)


@pytest.mark.parametrize("case", USERS, ids=ids(USERS))
def test_user_info_to_dict_is_the_cli_json(cli: Cli, case: Dict[str, Any]) -> None:
    code, out, err = cli.decrypt("user-info", dict(case, appid=appid_of(case)), "--now", str(now_of(case)))
    assert code == 0, err
    u = wxdecrypt.decrypt_user_info(case["session_key"], case["iv"], case["encrypted_data"], **kwargs(case))
    assert u.to_dict() == json.loads(out)


@pytest.mark.parametrize("case", ALL, ids=ids(ALL))
def test_raw_is_the_cli_json(cli: Cli, case: Dict[str, Any]) -> None:
    args = ["--now", str(now_of(case))]
    if kwargs(case)["accept_missing_watermark"]:
        args.append("--accept-missing-watermark")
    code, out, err = cli.decrypt("raw", dict(case, appid=appid_of(case)), *args)
    assert code == 0, err
    raw = wxdecrypt.decrypt_raw(case["session_key"], case["iv"], case["encrypted_data"], **kwargs(case))
    assert raw == json.loads(out)


def test_accepting_a_missing_watermark_still_checks_one_that_is_there(cli: Cli) -> None:
    (case,) = [c for c in GENERATED["decrypts"] if c["id"] == "phone/baseline"]
    p = wxdecrypt.decrypt_phone(case["session_key"], case["iv"], case["encrypted_data"],
                                appid=GENERATED_APPID, now=GENERATED_NOW, accept_missing_watermark=True)
    assert p.watermark is not None and p.watermark.timestamp == GENERATED_NOW
    code, out, _ = cli.decrypt("phone", case, "--now", str(GENERATED_NOW), "--accept-missing-watermark")
    assert code == 0 and p.to_dict() == json.loads(out)
