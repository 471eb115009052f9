"""A server whose listing loops (a v1 ``next`` URL or a v2 cursor that comes back) ends the
iteration with a ``ProtocolError`` instead of looping forever; in both worlds."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from synapse_ext import AsyncSynapseClient, ProtocolError, SynapseClient
from synapse_ext._flow import PageTokens

BASE = "https://api.test"
PAGE = f"{BASE}/data_collections/?page="


def _v1(request: httpx.Request, nexts: dict[str, str | None]) -> httpx.Response:
    page = request.url.params.get("page", "1")
    following = nexts[page]
    return httpx.Response(
        200,
        json={
            "count": 99,
            "next": f"{PAGE}{following}" if following else None,
            "previous": None,
            "results": [],
        },
    )


def _v2(request: httpx.Request, nexts: dict[str, str | None]) -> httpx.Response:
    cursor = request.url.params.get("cursor", "first")
    pagination = {"next_cursor": nexts[cursor], "previous_cursor": None, "per_page": 1}
    return httpx.Response(
        200, json={"data": [], "meta": {"request_id": "req_1", "pagination": pagination}}
    )


ROUTES: dict[str, Any] = {"iter_collections": _v1, "iter_collections_v2": _v2}


def _list(world: str, method: str, nexts: dict[str, str | None]) -> tuple[list[Any], list[str]]:
    """Every item the method yields, and the URLs it requested."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if len(seen) > 20:  # what a guard-less client would do forever
            return httpx.Response(500, json={"detail": "looping"})
        response: httpx.Response = ROUTES[method](request, nexts)
        return response

    transport = httpx.MockTransport(answer)
    if world == "sync":
        with SynapseClient(BASE, "t", transport=transport, retry=None) as client:
            return list(getattr(client, method)()), seen

    async def main() -> list[Any]:
        async with AsyncSynapseClient(BASE, "t", transport=transport, retry=None) as client:
            return [item async for item in getattr(client, method)()]

    return anyio.run(main), seen


WORLDS = pytest.mark.parametrize("world", ["sync", "async"])


@WORLDS
def test_a_v1_next_url_pointing_to_its_own_page_ends_the_listing(world: str) -> None:
    with pytest.raises(ProtocolError, match=r"next URL .*page=2.* came back twice"):
        _list(world, "iter_collections", {"1": "2", "2": "2"})


@WORLDS
def test_a_v1_cycle_of_next_urls_ends_after_each_page_once(world: str) -> None:
    requested: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requested.append(request.url.params.get("page", "1"))
        if len(requested) > 20:  # what a guard-less client would do forever
            return httpx.Response(500, json={"detail": "looping"})
        return _v1(request, {"1": "2", "2": "3", "3": "2"})

    transport = httpx.MockTransport(answer)
    with pytest.raises(ProtocolError):
        if world == "sync":
            with SynapseClient(BASE, "t", transport=transport, retry=None) as client:
                list(client.iter_collections())
        else:

            async def main() -> None:
                async with AsyncSynapseClient(BASE, "t", transport=transport, retry=None) as client:
                    async for _ in client.iter_collections():
                        pass

            anyio.run(main)
    assert requested == ["1", "2", "3"]


@WORLDS
def test_v1_pages_that_end_are_all_followed(world: str) -> None:
    _items, seen = _list(world, "iter_collections", {"1": "2", "2": "3", "3": None})
    assert [url.rsplit("=", 1)[-1] for url in seen[1:]] == ["2", "3"]


@WORLDS
def test_a_v2_cursor_that_comes_back_ends_the_listing(world: str) -> None:
    with pytest.raises(ProtocolError, match="cursor 'a' came back twice"):
        _list(world, "iter_collections_v2", {"first": "a", "a": "b", "b": "a"})


def test_page_tokens_refuse_only_a_token_seen_before() -> None:
    tokens = PageTokens("next URL")
    assert [tokens.follow(t) for t in ("x", "y", "z")] == ["x", "y", "z"]
    with pytest.raises(ProtocolError, match="next URL 'y' came back twice"):
        tokens.follow("y")
