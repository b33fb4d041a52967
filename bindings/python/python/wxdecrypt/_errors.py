"""The exceptions of the wxdecrypt package.

Every failure is a ``wxdecrypt.Error`` (a ``ValueError``), of one of four
kinds: ``InputError`` (refused before anything was decrypted),
``DecryptionError`` (the one opaque error after the cipher),
``PolicyError`` (a well-formed payload failed the watermark check) and
``ApiError`` (any failure reading an API response). ``str(e)`` is the Rust
library's message; none holds a key, a plaintext or a phone number.
"""

from typing import Optional

__all__ = ["Error", "InputError", "DecryptionError", "PolicyError", "ApiError"]


class Error(ValueError):
    """Any failure of the wxdecrypt package."""


class InputError(Error):
    """An argument was refused before anything was decrypted.

    ``field`` names the argument the message is about (``"session_key"``,
    ``"iv"``, ``"encrypted_data"``, ``"appid"``, a request argument such as
    ``"code"``), or is ``None``. Errors about the iv and the encrypted data
    are safe to show the client that sent them; errors about the session key
    describe what your server stored: log them.
    """

    field: Optional[str]

    def __init__(self, message: str, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.field = field


class DecryptionError(Error):
    """The data did not decrypt to a well-formed payload.

    Bad padding, bad UTF-8, bad JSON and a wrong shape are all this one
    error with one message, so that a server cannot be used as a padding
    oracle: answer every one of them the same way.
    """


class PolicyError(Error):
    """A complete payload failed the watermark check (another appid, too
    old, from the future, or no watermark)."""


class ApiError(Error):
    """A response of getuserphonenumber, the cloud call, Authing or
    code2session reported an error or could not be read.

    ``code`` is WeChat's ``errcode`` / ``errCode`` or Authing's ``apiCode``
    (its ``statusCode`` without one) when the response had one, else
    ``None``. ``retryable`` says whether the same request may succeed later
    (WeChat busy, rate limit).
    """

    code: Optional[int]
    retryable: bool

    def __init__(
        self, message: str, code: Optional[int] = None, retryable: bool = False
    ) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable
