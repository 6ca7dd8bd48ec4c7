"""The bot's requests to the Bot API, made with aiohttp instead of PTB's default httpx.

Why: a busy bot spends most of its CPU sending replies. Per `sendMessage`, PTB over
httpx (httpcore, h11 and anyio, all pure Python) costs about 0.9 ms of CPU; over aiohttp,
whose HTTP parser is in C, about 0.25 ms (bench/RESULTS.md, «Telegram over aiohttp»).
aiohttp is already a dependency (the fake Bot API is an aiohttp server).

PTB keeps everything above the wire: building parameters, parsing the answer, turning
Telegram's refusals into `BadRequest`, `RetryAfter`, `Forbidden`… This class only moves
bytes and maps failures to PTB's `TimedOut` and `NetworkError`, keeping the cause.
Proxies come from the environment (HTTPS_PROXY, NO_PROXY), as with httpx, read once per
host: aiohttp's own `trust_env` reads the environment in a thread on every request.
"""

from __future__ import annotations

import logging
import ssl
import urllib.request
from typing import TYPE_CHECKING

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput

    Timeout = ODVInput[float]

log = logging.getLogger(__name__)

# A request refused before a byte left: it cannot have reached Telegram.
_NEVER_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


def maybe_delivered(error: NetworkError) -> bool:
    """Whether a failed request may have reached Telegram despite the error (so a message
    is not repeated).

    Telegram's own error answer (5xx) means it did not act; a refused connection, or none
    made or free in time, means it never heard of the request. A read timeout or a
    connection lost mid-request could be either.
    """
    cause = error.__cause__
    if isinstance(cause, _NEVER_SENT):
        return False
    return isinstance(error, TimedOut) or isinstance(cause, aiohttp.ClientError)


class AiohttpRequest(BaseRequest):
    """PTB's `BaseRequest` over one `aiohttp.ClientSession`.

    Timeouts mean what they mean for PTB's `HTTPXRequest`: `connect_timeout` to open a
    connection, `pool_timeout` to wait for a free one, `read_timeout` between bytes of the
    answer. aiohttp has no write timeout, so a request as a whole is bounded by the sum of
    the four (uploads use `media_write_timeout` for the write share).
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxies",
        "_proxy_of_host",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str] = {}
        self._proxy_of_host: dict[str, str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # certifi's CA bundle, as PTB's httpx used, not whatever the system has.
            tls = ssl.create_default_context(cafile=certifi.where())
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=tls),
                raise_for_status=False,  # PTB reads Telegram's refusals from the body
            )
            self._proxies = urllib.request.getproxies_environment()
            self._proxy_of_host = {}

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data is not None else None
        body: aiohttp.FormData | dict[str, str] | None = None
        if files:
            body = aiohttp.FormData(request_data.json_parameters if request_data else {})
            for name, (filename, content, mime_type) in files.items():
                body.add_field(name, content, filename=filename, content_type=mime_type)
        elif request_data is not None:
            body = request_data.json_parameters
        timeout = self._timeout(
            read_timeout, write_timeout, connect_timeout, pool_timeout, upload=bool(files)
        )
        try:
            async with self._session.request(
                method,
                url,
                data=body,
                headers={"User-Agent": self.USER_AGENT},
                timeout=timeout,
                proxy=self._proxy_for(url),
            ) as response:
                payload = await response.read()
        except aiohttp.ConnectionTimeoutError as error:
            raise TimedOut("Timed out: no connection to Telegram in time") from error
        except TimeoutError as error:  # aiohttp's read timeout is a TimeoutError too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # The class name, as PTB's httpx backend gives it: some errors have no message.
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error
        log.debug("%s %s: %d", method, url, response.status)
        return response.status, payload

    def _proxy_for(self, url: str) -> str | None:
        """HTTPS_PROXY (HTTP_PROXY for http://, else ALL_PROXY) unless NO_PROXY names the host."""
        if not self._proxies:
            return None
        scheme, _, rest = url.partition("://")
        host = rest.split("/", 1)[0]
        key = f"{scheme}://{host}"
        if key not in self._proxy_of_host:
            bypass = urllib.request.proxy_bypass(host.rsplit(":", 1)[0])
            proxy = self._proxies.get(scheme) or self._proxies.get("all")
            self._proxy_of_host[key] = None if bypass else proxy
        return self._proxy_of_host[key]

    def _timeout(
        self,
        read: Timeout,
        write: Timeout,
        connect: Timeout,
        pool: Timeout,
        *,
        upload: bool,
    ) -> aiohttp.ClientTimeout:
        read_s = _given(read, self._read_timeout)
        connect_s = _given(connect, self._connect_timeout)
        pool_s = _given(pool, self._pool_timeout)
        write_s = _given(write, self._media_write_timeout if upload else self._write_timeout)
        parts = (read_s, write_s, connect_s, pool_s)
        return aiohttp.ClientTimeout(
            total=None if None in parts else sum(p for p in parts if p is not None),
            # aiohttp's `connect` covers waiting for a pooled connection and opening one.
            connect=None if connect_s is None or pool_s is None else connect_s + pool_s,
            sock_connect=connect_s,
            sock_read=read_s,
        )


def _given(value: Timeout, default: float | None) -> float | None:
    """A timeout as passed, or the default where PTB says «not given» (DefaultValue)."""
    if isinstance(value, float | int) or value is None:
        return value
    return default
