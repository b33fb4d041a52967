"""Every way to fail: each reject kind of the vectors raises the right
class with the library's message, one message for every failure after the
cipher, bit flips rejected identically, the policy and input errors, and
hostile arguments (huge strings, wrong types, surrogates, ``None``) giving
clean ``wxdecrypt.Error``s that never show a secret."""

import base64
import json
from typing import Any, Dict, List

import pytest

import wxdecrypt
from conftest import GENERATED, GENERATED_APPID, GENERATED_NOW, REAL, Cli

BASELINE = next(c for c in GENERATED["decrypts"] if c["id"] == "phone/baseline")
GOPAY = next(c for c in REAL["decrypts"] if c["id"] == "gopay-phone")
SHAPE_REASONS = {"duplicate_key", "wrong_type", "missing_field"}
REJECTS = GENERATED["rejects"]
KW = {"appid": GENERATED_APPID, "now": GENERATED_NOW}

# The library's one message for every failure after the cipher (pinned by
# the Rust tests too; here checked to be the same from Python).
DECRYPTION_MESSAGE = (
    "decryption failed: the data is not a valid payload under this session_key and iv "
    "(most often the session_key was replaced by a later wx.login; "
    "otherwise the iv belongs to other data or the data was altered)"
)


def args(case: Dict[str, Any]) -> List[str]:
    return [case["session_key"], case["iv"], case["encrypted_data"]]


def test_every_reason_is_covered() -> None:
    reasons = {c["reason"] for c in REJECTS}
    assert len(REJECTS) == 64 and len(reasons) == 12


@pytest.mark.parametrize("case", REJECTS, ids=[c["id"] for c in REJECTS])
def test_reject_is_the_one_decryption_error(case: Dict[str, Any]) -> None:
    reason = case["reason"]
    if reason in SHAPE_REASONS:
        kind = case["id"].split("/")[1]
        functions = {
            "phone": [wxdecrypt.decrypt_phone],
            "user_info": [wxdecrypt.decrypt_user_info],
        }.get(kind, [])
        if reason == "duplicate_key":
            functions.append(wxdecrypt.decrypt_raw)
    else:
        # Not a JSON object at all: refused whatever the payload type.
        functions = [wxdecrypt.decrypt_phone, wxdecrypt.decrypt_user_info, wxdecrypt.decrypt_raw]
    if not functions:
        # werun / share_info / group_enter_info shapes: the package has no
        # typed function for them, and their text is a valid JSON object.
        assert isinstance(wxdecrypt.decrypt_raw(*args(case), **KW), dict)
        return
    for function in functions:
        with pytest.raises(wxdecrypt.DecryptionError) as info:
            function(*args(case), **KW)  # type: ignore[operator]
        assert type(info.value) is wxdecrypt.DecryptionError
        assert str(info.value) == DECRYPTION_MESSAGE
        assert isinstance(info.value, ValueError)


# `raw` reads any object, so the cases of a wrong type or a missing field
# decrypt there; every other reject is refused by the command too.
RAW_REJECTS = [c for c in REJECTS if c["reason"] not in {"wrong_type", "missing_field"}]


@pytest.mark.parametrize("case", RAW_REJECTS, ids=[c["id"] for c in RAW_REJECTS])
def test_reject_message_is_the_cli_message(cli: Cli, case: Dict[str, Any]) -> None:
    code, _, err = cli.decrypt("raw", dict(case, appid=GENERATED_APPID), "--now", str(GENERATED_NOW))
    assert code == 1
    with pytest.raises(wxdecrypt.DecryptionError) as info:
        wxdecrypt.decrypt_raw(*args(case), **KW)
    assert str(info.value) == cli.message(err)


@pytest.mark.parametrize("case", REAL["does_not_decrypt"], ids=[c["id"] for c in REAL["does_not_decrypt"]])
def test_real_data_with_the_wrong_key(case: Dict[str, Any]) -> None:
    for function in (wxdecrypt.decrypt_phone, wxdecrypt.decrypt_user_info, wxdecrypt.decrypt_raw):
        with pytest.raises(wxdecrypt.Error) as info:
            function(*args(case), appid="wx4f4bc4dec97d474b", now=GENERATED_NOW)  # type: ignore[operator]
        # An input error when the text is not even well-formed, else the one error.
        assert type(info.value) in (wxdecrypt.DecryptionError, wxdecrypt.InputError)
        if type(info.value) is wxdecrypt.DecryptionError:
            assert str(info.value) == DECRYPTION_MESSAGE


def flip(text: str, bit: int) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[bit // 8] ^= 1 << (bit % 8)
    return base64.b64encode(bytes(raw)).decode()


def test_every_bit_flip_of_a_real_vector_is_rejected_identically() -> None:
    key, iv, data = args(GOPAY)
    kw = {"appid": GOPAY["appid"], "now": GOPAY["watermark_timestamp"]}
    assert wxdecrypt.decrypt_phone(key, iv, data, **kw).pure_phone_number  # the original decrypts
    messages = set()
    flips = 0
    for bit in range(len(base64.b64decode(data)) * 8):
        with pytest.raises(wxdecrypt.DecryptionError) as info:
            wxdecrypt.decrypt_phone(key, iv, flip(data, bit), **kw)
        messages.add(str(info.value))
        flips += 1
    for bit in range(128):
        with pytest.raises(wxdecrypt.DecryptionError) as info:
            wxdecrypt.decrypt_phone(key, flip(iv, bit), data, **kw)
        messages.add(str(info.value))
        flips += 1
    assert flips == (len(base64.b64decode(data)) + 16) * 8
    assert messages == {DECRYPTION_MESSAGE}


# ----- Policy errors -----


def test_policy_errors(cli: Cli) -> None:
    key, iv, data = args(BASELINE)
    cases = [
        ({"appid": "wx0000000000000000", "now": GENERATED_NOW}, ["--now", str(GENERATED_NOW)], "wx0000000000000000"),
        ({"appid": GENERATED_APPID, "now": GENERATED_NOW + 3600 + 301}, ["--now", str(GENERATED_NOW + 3901)], None),
        ({"appid": GENERATED_APPID, "now": GENERATED_NOW + 100, "max_age": 10, "leeway": 0},
         ["--now", str(GENERATED_NOW + 100), "--max-age", "10", "--leeway", "0"], None),
        ({"appid": GENERATED_APPID, "now": GENERATED_NOW - 301}, ["--now", str(GENERATED_NOW - 301)], None),
    ]
    for kw, flags, appid in cases:
        with pytest.raises(wxdecrypt.PolicyError) as info:
            wxdecrypt.decrypt_phone(key, iv, data, **kw)
        code, _, err = cli.decrypt("phone", dict(BASELINE, appid=appid or GENERATED_APPID), *flags)
        assert code == 1 and str(info.value) == cli.message(err)
        assert BASELINE["session_key"] not in str(info.value)
    # Within the window (max age plus leeway) it passes.
    assert wxdecrypt.decrypt_phone(key, iv, data, appid=GENERATED_APPID, now=GENERATED_NOW + 3900)


def test_missing_watermark_is_a_policy_error_unless_accepted() -> None:
    case = next(c for c in REAL["decrypts"] if c["id"] == "synthetic-werun")
    with pytest.raises(wxdecrypt.PolicyError) as info:
        wxdecrypt.decrypt_raw(*args(case), **KW)
    assert "no watermark" in str(info.value)
    assert wxdecrypt.decrypt_raw(*args(case), accept_missing_watermark=True, **KW)


# ----- Input errors -----


def test_input_errors_name_the_field_and_are_the_cli_messages(cli: Cli) -> None:
    key, iv, data = args(BASELINE)
    broken = [
        ("session_key", {"session_key": ""}),
        ("session_key", {"session_key": key[:-4]}),
        ("session_key", {"session_key": key.replace("i", " ", 1)}),
        ("iv", {"iv": "r7BXXKkLb8qrSNn05n0qiA"}),
        ("iv", {"iv": "r7BXXKkLb8qrSNn05n0qiA==" * 2}),
        ("iv", {"iv": "r7BXXKkLb8qr!Nn05n0qiA=="}),
        ("encrypted_data", {"encrypted_data": data.replace("+", " ")}),
        ("encrypted_data", {"encrypted_data": data[:-4]}),
        ("encrypted_data", {"encrypted_data": data.replace("/", "_")}),
        ("encrypted_data", {"encrypted_data": "A" * 70000}),
        ("encrypted_data", {"encrypted_data": base64.b64encode(b"x" * 20).decode()}),
    ]
    for field, change in broken:
        case = dict(BASELINE, **change)
        with pytest.raises(wxdecrypt.InputError) as info:
            wxdecrypt.decrypt_phone(*args(case), **KW)
        assert info.value.field == field, (change, str(info.value))
        code, _, err = cli.decrypt("phone", case, "--now", str(GENERATED_NOW))
        assert code == 1 and str(info.value) == cli.message(err)
        assert key not in str(info.value)


def test_candidate_key_count() -> None:
    key, iv, data = args(BASELINE)
    for keys in ([], [key] * (wxdecrypt.MAX_CANDIDATE_KEYS + 1)):
        with pytest.raises(wxdecrypt.InputError):
            wxdecrypt.decrypt_phone_with_keys(keys, iv, data, **KW)
    with pytest.raises(wxdecrypt.InputError):
        wxdecrypt.decrypt_phone_with_keys(key, iv, data, **KW)  # a str is not a list of keys


# ----- Hostile arguments -----

HUGE = "A" * (48 * 1024 * 1024)
HOSTILE: List[Any] = [None, 0, 1.5, [], {}, object(), b"\xff\xfe", bytearray(b"abc"), "\ud800", "a\udfffb", HUGE]


@pytest.mark.parametrize("position", [0, 1, 2])
def test_hostile_positional_arguments(position: int) -> None:
    for value in HOSTILE:
        values: List[Any] = args(BASELINE)
        values[position] = value
        with pytest.raises(wxdecrypt.Error) as info:
            wxdecrypt.decrypt_phone(*values, **KW)
        assert type(info.value) is wxdecrypt.InputError, (position, type(value))
        assert len(str(info.value)) < 300
        for function in (wxdecrypt.decrypt_user_info, wxdecrypt.decrypt_raw):
            with pytest.raises(wxdecrypt.InputError):
                function(*values, **KW)  # type: ignore[operator]
        if value is HUGE:
            # Text, only too long: diagnose reports it rather than raising.
            report = wxdecrypt.diagnose(*values, **KW)
            assert not report.is_valid and report.stage == "input"
        else:
            with pytest.raises(wxdecrypt.InputError):
                wxdecrypt.diagnose(*values, **KW)


def test_hostile_keyword_arguments() -> None:
    key, iv, data = args(BASELINE)
    bad: List[Dict[str, Any]] = [
        {"appid": None}, {"appid": 5}, {"appid": "\ud800"},
        {"now": "1700000000"}, {"now": -1}, {"now": 2**64}, {"now": True}, {"now": 1.0},
        {"max_age": -5}, {"leeway": "x"}, {"lenient_base64": 1},
        {"accept_missing_watermark": "yes"},
    ]
    for change in bad:
        kw = dict(KW, **change)
        with pytest.raises(wxdecrypt.InputError):
            wxdecrypt.decrypt_phone(key, iv, data, **kw)
    with pytest.raises(wxdecrypt.ApiError):
        wxdecrypt.parse_phone_response(HUGE)
    for value in HOSTILE[:-1]:
        with pytest.raises(wxdecrypt.Error):
            wxdecrypt.parse_phone_response(value)
        with pytest.raises(wxdecrypt.Error):
            wxdecrypt.parse_code2session(value)
        with pytest.raises(wxdecrypt.Error):
            wxdecrypt.verify_raw_data(value, value, value)


def test_bytes_are_accepted_as_utf8_text() -> None:
    key, iv, data = args(BASELINE)
    p = wxdecrypt.decrypt_phone(key.encode(), iv.encode(), data.encode(), **KW)
    assert p.pure_phone_number == "13580006666"


def test_empty_appid_is_the_library_policy_error() -> None:
    with pytest.raises(wxdecrypt.PolicyError) as info:
        wxdecrypt.decrypt_phone(*args(BASELINE), appid="", now=GENERATED_NOW)
    assert "no appid is configured" in str(info.value)


def test_no_secret_in_any_message() -> None:
    key, iv, data = args(BASELINE)
    plaintext = json.loads(BASELINE["plaintext"])
    messages = []
    for call in (
        lambda: wxdecrypt.decrypt_phone(key, iv, data, appid="wxother", now=GENERATED_NOW),
        lambda: wxdecrypt.decrypt_phone(key[:-2] + "A=", iv, data, **KW),
        lambda: wxdecrypt.decrypt_phone(key + "=", iv, data, **KW),
        lambda: wxdecrypt.decrypt_user_info(key, iv, data, **KW),
    ):
        with pytest.raises(wxdecrypt.Error) as info:
            call()
        messages.append(str(info.value) + repr(info.value))
    for message in messages:
        assert key not in message and key[:8] not in message
        assert plaintext["purePhoneNumber"] not in message
