"""The bot's HTTP to the Bot API (bot/telegram_http.py): what reaches the server, and which
failures may still have reached Telegram (a reply that may have arrived is not repeated)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData

from bot.telegram_http import AiohttpRequest, maybe_delivered

TOKEN = "123:TEST"
MESSAGE = {
    "message_id": 7,
    "date": 1_700_000_000,
    "chat": {"id": 42, "type": "private", "first_name": "Анна"},
    "text": "Привет",
}


@asynccontextmanager
async def serving(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    """An HTTP server on 127.0.0.1 answering every path with `handler`; yields its base URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def started(request: AiohttpRequest) -> AsyncIterator[AiohttpRequest]:
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


async def test_a_bot_call_sends_its_parameters_and_reads_telegrams_answer() -> None:
    seen: dict[str, Any] = {}

    async def handler(request: web.Request) -> web.Response:
        seen["path"] = request.path
        seen["form"] = dict(await request.post())
        seen["agent"] = request.headers.get("User-Agent", "")
        return web.json_response({"ok": True, "result": MESSAGE})

    async with serving(handler) as url:
        bot = Bot(TOKEN, base_url=f"{url}/bot", request=AiohttpRequest())
        async with started(bot.request):  # type: ignore[arg-type]
            sent = await bot.send_message(42, "Привет", parse_mode="HTML")
    assert sent.message_id == 7 and sent.text == "Привет"
    assert seen["path"] == f"/bot{TOKEN}/sendMessage"
    assert seen["form"] == {"chat_id": "42", "text": "Привет", "parse_mode": "HTML"}
    assert "python-telegram-bot" in seen["agent"]


async def test_a_file_goes_as_multipart_with_its_name_type_and_fields() -> None:
    seen: dict[str, Any] = {}

    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["document"]
        assert isinstance(upload, web.FileField)
        seen.update(
            chat_id=form["chat_id"],
            name=upload.filename,
            type=upload.content_type,
            body=upload.file.read(),
        )
        return web.json_response({"ok": True, "result": MESSAGE})

    async with serving(handler) as url:
        bot = Bot(TOKEN, base_url=f"{url}/bot", request=AiohttpRequest())
        async with started(bot.request):  # type: ignore[arg-type]
            await bot.send_document(42, b"a;b\n1;2\n", filename="visits.csv")
    assert seen == {
        "chat_id": "42",
        "name": "visits.csv",
        "type": "text/csv",
        "body": b"a;b\n1;2\n",
    }


async def test_a_download_is_a_get_returning_the_bytes() -> None:
    async def handler(request: web.Request) -> web.Response:
        assert request.method == "GET"
        return web.Response(body=b"\x00PK-bytes")

    async with serving(handler) as url, started(AiohttpRequest()) as http:
        assert await http.retrieve(f"{url}/file/bot/doc.xlsx") == b"\x00PK-bytes"


async def test_the_proxy_comes_from_the_environment_and_no_proxy_is_respected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    through_proxy: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        through_proxy.append(request.headers.get("Host", ""))
        return web.Response(body=b"via proxy")

    async def direct(_request: web.Request) -> web.Response:
        return web.Response(body=b"direct")

    async with serving(proxy) as proxy_url, serving(direct) as api_url:
        target = api_url.replace("127.0.0.1", "localhost")
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with started(AiohttpRequest()) as http:
            assert await http.retrieve(f"{target}/file") == b"via proxy"
        assert through_proxy and through_proxy[0].startswith("localhost")
        monkeypatch.setenv("NO_PROXY", "localhost")
        async with started(AiohttpRequest()) as http:
            assert await http.retrieve(f"{target}/file") == b"direct"


def _self_signed(key: Path, cert: Path) -> None:
    """A certificate for 127.0.0.1 signed by itself (OpenSSL's command line)."""
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )


async def test_a_certificate_no_authority_vouches_for_is_refused_before_sending(
    tmp_path: Path,
) -> None:
    """TLS is verified (against certifi's bundle): a self-signed server gets no request."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    _self_signed(key, cert)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    reached: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        reached.append(request.path)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with started(AiohttpRequest()) as http:
            with pytest.raises(NetworkError) as raised:
                await http.post(f"https://127.0.0.1:{port}/bot/sendMessage", RequestData())
    finally:
        await runner.cleanup()
    assert "Certificate" in str(raised.value) and reached == []
    assert maybe_delivered(raised.value) is False


async def test_a_refused_connection_never_reached_telegram() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with started(AiohttpRequest()) as http:
        with pytest.raises(NetworkError) as raised:
            await http.post(f"http://127.0.0.1:{port}/bot/sendMessage", RequestData())
    assert not isinstance(raised.value, TimedOut)
    assert maybe_delivered(raised.value) is False


async def test_a_read_timeout_may_have_reached_telegram() -> None:
    release = asyncio.Event()

    async def silent(_request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(body=b"{}")

    async with serving(silent) as url, started(AiohttpRequest(read_timeout=0.2)) as http:
        try:
            with pytest.raises(TimedOut) as raised:
                await http.post(f"{url}/bot/sendMessage", RequestData())
        finally:
            release.set()
    assert maybe_delivered(raised.value) is True


async def test_no_free_connection_in_time_never_reached_telegram() -> None:
    release, holding = asyncio.Event(), asyncio.Event()

    async def slow(_request: web.Request) -> web.Response:
        holding.set()
        await release.wait()
        return web.json_response({"ok": True, "result": True})

    request = AiohttpRequest(connection_pool_size=1, connect_timeout=0.1, pool_timeout=0.1)
    async with serving(slow) as url, started(request) as http:
        first = asyncio.create_task(http.post(f"{url}/bot/a", RequestData()))
        await holding.wait()  # the one connection is taken
        try:
            with pytest.raises(TimedOut) as raised:
                await http.post(f"{url}/bot/b", RequestData())
        finally:
            release.set()
            assert await first is True
    assert maybe_delivered(raised.value) is False


async def test_a_connection_cut_mid_answer_may_have_reached_telegram() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"ok"')
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(cut, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, started(AiohttpRequest()) as http:
        with pytest.raises(NetworkError) as raised:
            await http.post(f"http://127.0.0.1:{port}/bot/sendMessage", RequestData())
    assert maybe_delivered(raised.value) is True


@pytest.mark.parametrize("answer", ["Bad Gateway", "Internal Server Error (500)"])
def test_telegrams_own_error_answer_means_it_did_nothing(answer: str) -> None:
    assert maybe_delivered(NetworkError(answer)) is False
