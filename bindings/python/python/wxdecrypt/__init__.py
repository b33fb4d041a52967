"""Decrypt and verify WeChat mini-program ``encryptedData`` on a Rust core.

The ``getPhoneNumber`` button's ``encryptedData`` and ``iv`` with the
user's ``session_key`` become a checked ``PhoneNumber`` (or ``UserInfo``,
or the raw JSON object), its watermark checked against your appid and the
clock; the newer flow's API responses are read into the same
``PhoneNumber``. Every function is synchronous, thread-safe and takes a few
microseconds: call it directly from ``asyncio`` code. See README.md.
"""

from ._errors import ApiError, DecryptionError, Error, InputError, PolicyError
from ._wxdecrypt import (
    DEFAULT_LEEWAY,
    DEFAULT_MAX_AGE,
    MAX_CANDIDATE_KEYS,
    MAX_ENCRYPTED_DATA_LEN,
    Code2Session,
    Diagnosis,
    PhoneNumber,
    Request,
    SessionKey,
    UserInfo,
    Watermark,
    authing_phone_request,
    code2session_request,
    decrypt_phone,
    decrypt_phone_with_keys,
    decrypt_raw,
    decrypt_user_info,
    decrypt_user_info_with_keys,
    diagnose,
    get_user_phone_number_request,
    parse_code2session,
    parse_phone_response,
    verify_raw_data,
)

__all__ = [
    "ApiError",
    "Code2Session",
    "DEFAULT_LEEWAY",
    "DEFAULT_MAX_AGE",
    "DecryptionError",
    "Diagnosis",
    "Error",
    "InputError",
    "MAX_CANDIDATE_KEYS",
    "MAX_ENCRYPTED_DATA_LEN",
    "PhoneNumber",
    "PolicyError",
    "Request",
    "SessionKey",
    "UserInfo",
    "Watermark",
    "authing_phone_request",
    "code2session_request",
    "decrypt_phone",
    "decrypt_phone_with_keys",
    "decrypt_raw",
    "decrypt_user_info",
    "decrypt_user_info_with_keys",
    "diagnose",
    "get_user_phone_number_request",
    "parse_code2session",
    "parse_phone_response",
    "verify_raw_data",
]
