"""HMAC signatures for the fake's presigned download URLs."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["Signer"]


class Signer:
    """Signs ``(data_file_id, expires)`` pairs; verification is constant-time."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def sign(self, data_file_id: int, expires: int) -> str:
        message = f"{data_file_id}:{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def verify(self, data_file_id: int, expires: int, signature: str) -> bool:
        return hmac.compare_digest(self.sign(data_file_id, expires), signature)
