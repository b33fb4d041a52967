"""Type stub of the extension module ``wxdecrypt._wxdecrypt``.

Text arguments are ``str`` (or ``bytes`` holding UTF-8); a value of another
type, or a ``str`` with a lone surrogate, raises ``InputError`` naming the
argument. ``now`` is Unix seconds (``None``: the system clock); ``max_age``
and ``leeway`` are seconds (``None``: ``DEFAULT_MAX_AGE``, one hour, and
``DEFAULT_LEEWAY``, five minutes).
"""

from typing import Any, Dict, Optional, Sequence, Tuple, Union, final

_Text = Union[str, bytes]
_Key = Union[str, bytes, "SessionKey"]

MAX_CANDIDATE_KEYS: int
"""The most keys ``decrypt_*_with_keys`` tries (4)."""
DEFAULT_MAX_AGE: int
"""The default maximum watermark age, in seconds (3600)."""
DEFAULT_LEEWAY: int
"""The default clock skew tolerated, in seconds (300)."""
MAX_ENCRYPTED_DATA_LEN: int
"""The longest ``encrypted_data`` text accepted, in characters (65536)."""

@final
class Watermark:
    """The checked watermark of a payload."""

    @property
    def appid(self) -> str:
        """The mini program's appid (the one you passed)."""
    @property
    def timestamp(self) -> int:
        """When WeChat produced the data, in Unix seconds."""
    def to_dict(self) -> Dict[str, Any]:
        """``{"appid": str, "timestamp": int}``."""

@final
class PhoneNumber:
    """A user's phone number. ``repr()`` masks it (``180****8610``)."""

    @property
    def phone_number(self) -> str:
        """The number as WeChat shows it (``+16505550100`` abroad)."""
    @property
    def pure_phone_number(self) -> str:
        """The number without the country code: 1 to 20 digits."""
    @property
    def country_code(self) -> str:
        """The country calling code as digits: ``"86"`` also when WeChat sent ``86``."""
    @property
    def watermark(self) -> Optional[Watermark]:
        """The checked watermark; ``None`` only when accepted without one
        (``accept_missing_watermark=True``, or a response read without an
        appid, or an Authing response)."""
    def masked(self) -> str:
        """The pure number with its middle digits hidden: safe to log."""
    def e164(self) -> Optional[str]:
        """``+8618017448610``; ``None`` when no E.164 number can be formed."""
    def to_dict(self) -> Dict[str, Any]:
        """Exactly the JSON of ``wxdecrypt phone``: ``phoneNumber``,
        ``purePhoneNumber``, ``countryCode``, ``watermark`` (a dict or
        ``None``)."""

@final
class UserInfo:
    """A user's profile from ``getUserInfo``. ``repr()`` redacts it."""

    @property
    def open_id(self) -> Optional[str]:
        """The openid, ``None`` when absent. Take the openid from
        code2session instead: this field is not protected against edits."""
    @property
    def nick_name(self) -> str: ...
    @property
    def gender(self) -> int:
        """0 (not set, what WeChat sends since 2021), 1 or 2."""
    @property
    def language(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def province(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def avatar_url(self) -> str: ...
    @property
    def union_id(self) -> Optional[str]:
        """The unionid, ``None`` when absent."""
    @property
    def watermark(self) -> Optional[Watermark]:
        """As ``PhoneNumber.watermark``."""
    def to_dict(self) -> Dict[str, Any]:
        """Exactly the JSON of ``wxdecrypt user-info``."""

@final
class SessionKey:
    """A session key held in wiped memory. Never printed, never readable
    back, not picklable."""

    def __init__(self, text: _Text) -> None:
        """Decodes the key's base64 strictly; ``InputError`` if it is not
        24 characters of standard base64 for 16 bytes."""
    def checksession_signature(self) -> str:
        """The ``signature`` for ``wxa/checksession``."""
    def session_signature(self, body: _Text) -> str:
        """The ``signature`` of ``body`` for ``sig_method=hmac_sha256`` APIs."""

@final
class Code2Session:
    """What code2session returned. ``repr()`` redacts everything."""

    @property
    def openid(self) -> str: ...
    @property
    def unionid(self) -> Optional[str]: ...
    @property
    def session_key(self) -> SessionKey:
        """Store it on your server; pass it to the decrypt functions."""

@final
class Request:
    """A request for your HTTP client to send. ``repr()`` hides secrets."""

    @property
    def method(self) -> str:
        """``"GET"`` or ``"POST"``."""
    @property
    def url(self) -> str:
        """The URL, secrets in the query: do not log it."""
    @property
    def body(self) -> Optional[str]:
        """The JSON body, ``None`` for a GET."""
    @property
    def content_type(self) -> Optional[str]:
        """``"application/json"`` with a body, else ``None``."""

@final
class Diagnosis:
    """What ``diagnose`` found; ``str()`` is a report for a terminal."""

    @property
    def is_valid(self) -> bool: ...
    @property
    def stage(self) -> Optional[str]:
        """``"input"``, ``"decryption"`` or ``"policy"``; ``None`` when valid."""
    @property
    def after_repair(self) -> Optional["Diagnosis"]:
        """For transport damage: the diagnosis with ``lenient_base64=True``."""
    @property
    def report(self) -> str: ...

def decrypt_phone(
    session_key: _Key,
    iv: _Text,
    encrypted_data: _Text,
    *,
    appid: str,
    now: Optional[int] = None,
    max_age: Optional[int] = None,
    leeway: Optional[int] = None,
    lenient_base64: bool = False,
    accept_missing_watermark: bool = False,
) -> PhoneNumber:
    """Decrypts and checks a ``getPhoneNumber`` payload.

    Raises ``InputError``, ``DecryptionError`` or ``PolicyError``."""

def decrypt_user_info(
    session_key: _Key,
    iv: _Text,
    encrypted_data: _Text,
    *,
    appid: str,
    now: Optional[int] = None,
    max_age: Optional[int] = None,
    leeway: Optional[int] = None,
    lenient_base64: bool = False,
    accept_missing_watermark: bool = False,
) -> UserInfo:
    """Decrypts and checks a ``getUserInfo`` payload."""

def decrypt_raw(
    session_key: _Key,
    iv: _Text,
    encrypted_data: _Text,
    *,
    appid: str,
    now: Optional[int] = None,
    max_age: Optional[int] = None,
    leeway: Optional[int] = None,
    lenient_base64: bool = False,
    accept_missing_watermark: bool = False,
) -> Dict[str, Any]:
    """Decrypts any payload: the checked JSON object (watermark included)."""

def decrypt_phone_with_keys(
    session_keys: Sequence[_Key],
    iv: _Text,
    encrypted_data: _Text,
    *,
    appid: str,
    now: Optional[int] = None,
    max_age: Optional[int] = None,
    leeway: Optional[int] = None,
    lenient_base64: bool = False,
    accept_missing_watermark: bool = False,
) -> Tuple[int, PhoneNumber]:
    """The ``wx.login`` race: tries a list or tuple of up to
    ``MAX_CANDIDATE_KEYS`` keys, current first; returns the index of the
    one that worked. When none does, the same ``DecryptionError`` as one key."""

def decrypt_user_info_with_keys(
    session_keys: Sequence[_Key],
    iv: _Text,
    encrypted_data: _Text,
    *,
    appid: str,
    now: Optional[int] = None,
    max_age: Optional[int] = None,
    leeway: Optional[int] = None,
    lenient_base64: bool = False,
    accept_missing_watermark: bool = False,
) -> Tuple[int, UserInfo]:
    """As ``decrypt_phone_with_keys``, for ``getUserInfo``."""

def verify_raw_data(raw_data: _Text, signature: _Text, session_key: _Key) -> bool:
    """Whether ``signature`` is sha1(rawData + session_key), in constant time."""

def diagnose(
    session_key: _Text,
    iv: _Text,
    encrypted_data: _Text,
    *,
    appid: str,
    now: Optional[int] = None,
    max_age: Optional[int] = None,
    leeway: Optional[int] = None,
    accept_missing_watermark: bool = False,
) -> Diagnosis:
    """For a developer's terminal, never a request handler (it is a padding
    oracle): why these inputs fail. ``appid=""`` reports the watermark's
    appid without checking it."""

def parse_phone_response(
    body: _Text,
    *,
    appid: Optional[str] = None,
    now: Optional[int] = None,
    max_age: Optional[int] = None,
    leeway: Optional[int] = None,
) -> PhoneNumber:
    """Reads a getuserphonenumber, cloud-call or Authing response body.

    With ``appid`` the watermark is checked (Authing sends none and is
    accepted without); without, it is not, and ``watermark`` is ``None``.
    Every failure is ``ApiError``."""

def parse_code2session(body: _Text) -> Code2Session:
    """Reads a code2session response; every failure is ``ApiError``."""

def get_user_phone_number_request(access_token: _Text, code: _Text) -> Request:
    """``POST .../wxa/business/getuserphonenumber``; ``InputError`` for a bad argument."""

def code2session_request(appid: _Text, secret: _Text, js_code: _Text) -> Request:
    """``GET .../sns/jscode2session``; the URL holds the secret."""

def authing_phone_request(
    app_host: _Text, ext_idp_connidentifier: _Text, code: _Text
) -> Request:
    """Authing's ``get_wechat_miniprogram_phone``."""
