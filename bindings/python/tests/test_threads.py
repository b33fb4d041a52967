"""Concurrency: the functions and the objects they return are safe to use
from many threads at once, and give every thread the same answers."""

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Tuple

import wxdecrypt
from conftest import REAL

PHONE = next(c for c in REAL["decrypts"] if c["id"] == "gopay-phone")
USER = next(c for c in REAL["decrypts"] if c["id"] == "official-wxbizdatacrypt-userinfo")


def run(i: int) -> Tuple[Dict[str, Any], Dict[str, Any], str]:
    case = PHONE
    p = wxdecrypt.decrypt_phone(case["session_key"], case["iv"], case["encrypted_data"],
                                appid=case["appid"], now=case["watermark_timestamp"])
    u = wxdecrypt.decrypt_user_info(USER["session_key"], USER["iv"], USER["encrypted_data"],
                                    appid=USER["appid"], now=USER["watermark_timestamp"])
    try:
        wxdecrypt.decrypt_phone(USER["session_key"], case["iv"], case["encrypted_data"],
                                appid=case["appid"], now=case["watermark_timestamp"])
        failure = "decrypted"
    except wxdecrypt.DecryptionError as e:
        failure = str(e)
    # The released-GIL variant, measured in bench.py, gives the same answers.
    q = wxdecrypt._wxdecrypt._decrypt_phone_detached(  # type: ignore[attr-defined]
        case["session_key"], case["iv"], case["encrypted_data"],
        appid=case["appid"], now=case["watermark_timestamp"])
    assert q == p
    return p.to_dict(), u.to_dict(), failure


def test_threads_agree() -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(2000)))
    first = results[0]
    assert first[0]["purePhoneNumber"] == json.loads(PHONE["plaintext"])["purePhoneNumber"]
    assert first[1]["nickName"] == "Band"
    assert first[2].startswith("decryption failed")
    assert all(r == first for r in results)


def test_objects_are_shared_between_threads() -> None:
    key = wxdecrypt.SessionKey(PHONE["session_key"])
    p = wxdecrypt.decrypt_phone(key, PHONE["iv"], PHONE["encrypted_data"],
                                appid=PHONE["appid"], now=PHONE["watermark_timestamp"])

    def use(_: int) -> Tuple[str, str]:
        again = wxdecrypt.decrypt_phone(key, PHONE["iv"], PHONE["encrypted_data"],
                                        appid=PHONE["appid"], now=PHONE["watermark_timestamp"])
        return p.masked(), again.pure_phone_number

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert len(set(pool.map(use, range(1000)))) == 1
