"""The one redaction rule: credential parameters of URLs, in URLs and in any text."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest

from synapse_ext._redact import MASK, install_log_redaction, is_credential, redact

SECRET_NAMES = [
    "X-Amz-Signature",
    "X-Amz-Credential",
    "X-Amz-Security-Token",
    "Signature",
    "Credential",
    "AWSAccessKeyId",
    "sig",
    "GoogleAccessId",
    "X-Goog-Signature",
    "X-Goog-Credential",
    "access_token",
    "client_secret",
    "password",
    "api_key",
]
KEPT_NAMES = [
    "X-Amz-Algorithm",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Goog-SignedHeaders",
    "Expires",
    "sv",
    "se",
    "sp",
    "sr",
    "page",
    "page_size",
    "cursor",
    "expand",
]
VALUE = "c0ffee5ecret"


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_each_credential_parameter_is_masked_name_and_value(name: str) -> None:
    url = f"https://bucket.example.com/key.png?X-Amz-Expires=3600&{name}={VALUE}&page=2"
    assert redact(url) == f"https://bucket.example.com/key.png?X-Amz-Expires=3600&{MASK}&page=2"


@pytest.mark.parametrize("name", SECRET_NAMES)
@pytest.mark.parametrize("case", [str.lower, str.upper, str.swapcase])
def test_names_are_compared_case_insensitively(name: str, case: object) -> None:
    assert callable(case)
    odd = case(name)
    assert is_credential(odd)
    assert VALUE not in redact(f"https://h/p?{odd}={VALUE}")


def test_percent_encoded_names_are_recognised() -> None:
    assert is_credential("X%2DAmz%2DSignature")
    assert VALUE not in redact(f"https://h/p?X%2DAmz%2DSignature={VALUE}")


@pytest.mark.parametrize("name", KEPT_NAMES)
def test_other_parameters_are_kept(name: str) -> None:
    assert not is_credential(name)
    url = f"https://h/p?{name}=v1&other=2"
    assert redact(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://api.synapse.sh/data_collections/1/",
        "https://storage.example.com/bucket/a%20b.png",
        "s3://bucket/prefix/file.json",
        "https://h/p?",
        "",
    ],
)
def test_urls_without_query_are_unchanged(url: str) -> None:
    assert redact(url) == url


def test_an_s3_presigned_url_keeps_what_says_which_object_and_when() -> None:
    url = (
        "https://s3.example.com/b/uploads/c1/abc/street_001.png?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAEXAMPLE%2F20261207%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20261207T053811Z&X-Amz-Expires=3601"
        "&X-Amz-Signature=a7e9b0a6ca782e5c5ee35cda10a3dac86870e6d39a08056c40d2c7201b34b8d9"
        "&X-Amz-SignedHeaders=host"
    )
    assert redact(url) == (
        "https://s3.example.com/b/uploads/c1/abc/street_001.png?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&***&X-Amz-Date=20261207T053811Z&X-Amz-Expires=3601&***&X-Amz-SignedHeaders=host"
    )


def test_an_azure_sas_loses_its_signature() -> None:
    url = (
        "https://acct.blob.core.windows.net/c/f.png?sv=2022-11-02&se=2026-12-07T06%3A00%3A00Z"
        "&sr=b&sp=cw&sig=AbC%2Bd%2Fe%3D"
    )
    assert redact(url) == (
        "https://acct.blob.core.windows.net/c/f.png?sv=2022-11-02&se=2026-12-07T06%3A00%3A00Z"
        "&sr=b&sp=cw&***"
    )


def test_an_httpx_url_is_accepted() -> None:
    url = httpx.URL("https://h/p", params={"Signature": VALUE, "Expires": "1"})
    assert redact(url) == "https://h/p?***&Expires=1"


def test_urls_embedded_in_longer_text_and_several_in_one_message() -> None:
    message = (
        f'HTTP Request: PUT https://a.example/x?X-Amz-Signature={VALUE}1&n=1 "HTTP/1.1 403"; '
        f"then 'https://b.example/y?sig={VALUE}2' and (https://c.example/z?Signature={VALUE}3), "
        f'{{"url": "https://d.example/w?GoogleAccessId={VALUE}4&X-Goog-Signature={VALUE}5"}}'
    )
    clean = redact(message)
    assert VALUE not in clean
    assert clean == (
        'HTTP Request: PUT https://a.example/x?***&n=1 "HTTP/1.1 403"; '
        "then 'https://b.example/y?***' and (https://c.example/z?***), "
        '{"url": "https://d.example/w?***&***"}'
    )


def test_pairs_outside_urls_are_masked_too() -> None:
    assert redact(f"the body echoed X-Amz-Signature={VALUE} back") == "the body echoed *** back"


def test_user_info_of_urls_is_removed() -> None:
    assert redact("cannot reach https://user:pa55@host.example/p") == (
        "cannot reach https://***@host.example/p"
    )
    assert redact("mail someone@example.com") == "mail someone@example.com"


def test_redaction_is_idempotent() -> None:
    once = redact(f"https://u:p@h/p?sig={VALUE}&a=1 and Credential={VALUE}")
    assert redact(once) == once and VALUE not in once


@pytest.fixture
def user_logging() -> Iterator[io.StringIO]:
    """Logging as a library user sets it up: their own handler on the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    saved = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(saved)


@pytest.mark.parametrize("name", ["httpx", "synapse_ext"])
def test_the_loggers_filter_works_with_the_users_own_handlers(
    user_logging: io.StringIO, name: str
) -> None:
    install_log_redaction()
    install_log_redaction()  # once only
    logger = logging.getLogger(name)
    assert sum(type(f).__name__ == "RedactingFilter" for f in logger.filters) == 1
    url = httpx.URL(f"https://h/p?X-Amz-Signature={VALUE}&X-Amz-Expires=60")
    logger.warning('HTTP Request: %s %s "%s"', "PUT", url, "HTTP/1.1 200 OK")
    assert (
        user_logging.getvalue()
        == 'HTTP Request: PUT https://h/p?***&X-Amz-Expires=60 "HTTP/1.1 200 OK"\n'
    )


def test_urllib3_request_lines_lose_their_signature(user_logging: io.StringIO) -> None:
    """The sync client's storage PUTs go through urllib3, whose pool logs path and query."""
    install_log_redaction()
    logger = logging.getLogger("urllib3.connectionpool")
    path = f"/bucket/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature={VALUE}&X-Amz-Expires=60"
    logger.warning(
        '%s://%s:%s "%s %s %s" %s %s', "http", "s3", 9000, "PUT", path, "HTTP/1.1", 200, 0
    )
    line = user_logging.getvalue()
    assert VALUE not in line and "AKIA" not in line
    assert '"PUT /bucket/k?***&***&X-Amz-Expires=60 HTTP/1.1" 200 0' in line


def test_building_a_client_installs_the_filter() -> None:
    from synapse_ext import SynapseClient

    httpx_logger = logging.getLogger("httpx")
    for f in [f for f in httpx_logger.filters if type(f).__name__ == "RedactingFilter"]:
        httpx_logger.removeFilter(f)
    with SynapseClient("https://api.example.com", "t0ken-value"):
        assert any(type(f).__name__ == "RedactingFilter" for f in httpx_logger.filters)
