"""Secrets out of URLs and text: the one rule every log line, error and repr goes through.

The rule (``docs/decisions.md``, "Secrets in logs and errors"):

* every ``name=value`` pair whose name is a credential is replaced, name and value, by
  ``***``; this holds inside URLs (query strings) and in free text alike;
* a name is a credential when, compared case-insensitively after percent-decoding, it is
  ``sig`` or contains ``signature``, ``credential``, ``token``, ``secret``, ``password``,
  ``accesskey``, ``accessid`` or ``apikey`` (``-`` and ``_`` ignored): this covers S3
  (``X-Amz-Signature``, ``X-Amz-Credential``, ``X-Amz-Security-Token``, ``Signature``,
  ``AWSAccessKeyId``), GCS (``X-Goog-Signature``, ``X-Goog-Credential``,
  ``GoogleAccessId``) and Azure SAS (``sig``; its ``sv``, ``se``, ``sp``, ``sr`` are a
  version, an expiry and permissions, useless without ``sig``, and are kept);
* the user-info part of a URL (``scheme://user:password@host``) becomes ``***@``.

Everything else is kept (host, path, ``X-Amz-Expires``, ``X-Amz-Date``, paging parameters):
a redacted line still says which object and when. This module imports nothing of
``synapse_ext``.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

__all__ = [
    "MASK",
    "RedactingFilter",
    "install_log_redaction",
    "is_credential",
    "redact",
    "redacted_repr",
]

MASK = "***"

_WORDS = ("signature", "credential", "token", "secret", "password", "accesskey", "accessid")
_WORDS_EXTRA = ("apikey",)
_EXACT = frozenset({"sig"})

# A name=value pair: the name is a whole run of query-name characters; the value ends at a
# separator of queries, text, quotes or markup (over-consuming only widens the mask).
_PAIR = re.compile(r"(?<![\w.~%+-])([\w.~%+-]+)=([^&\s\"'<>#,;)\]}\\]*)")
_USERINFO = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@\"'<>?#]+@")


def is_credential(name: str) -> bool:
    """True when a query parameter named ``name`` holds a credential (the rule above)."""
    folded = unquote(name).lower().replace("-", "").replace("_", "")
    return folded in _EXACT or any(w in folded for w in _WORDS + _WORDS_EXTRA)


def _pair(match: re.Match[str]) -> str:
    return MASK if is_credential(match.group(1)) else match.group(0)


def redact(text: object) -> str:
    """``str(text)`` with every credential pair masked and every URL's user-info removed.

    Works on one URL (``httpx.URL`` or ``str``) or on any text that embeds URLs (log lines,
    error messages, reprs, JSON); idempotent.
    """
    value = str(text)
    if "=" in value:
        value = _PAIR.sub(_pair, value)
    if "@" in value:
        value = _USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", value)
    return value


def redacted_repr(value: object) -> str:
    """``repr(value)``, redacted (for ``attrs.field(repr=redacted_repr)`` of URL fields)."""
    return redact(repr(value))


class RedactingFilter(logging.Filter):
    """A logging filter that applies :func:`redact` to each record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = RedactingFilter()
_LOGGERS = ("synapse_ext", "httpx", "urllib3.connectionpool")
"""The loggers whose records can carry URLs: ours, httpx's (one line per request, with its
URL) and urllib3's pool (the sync client's storage PUTs: one DEBUG line per request, with its
path and query). httpcore logs hosts and request methods, never a query string."""


def install_log_redaction() -> None:
    """Put the redacting filter on the loggers of :data:`_LOGGERS` (once).

    A logger's own filter runs for every record logged to it, before any handler, whoever
    configured the handlers; the clients call this when they are built.
    """
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
