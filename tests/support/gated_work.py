"""Work for the parse workers (bot/workers.py) that a test holds and lets go, by events.

A worker is another process: a test cannot hand it a threading.Event or a closure. So the
gate is a socket on 127.0.0.1 the test listens on (`Gate`): the work connects, says it is
parsing (and in which process), and waits for one byte before it goes on. Nothing sleeps:
the test awaits the connection, and the work blocks on the socket until released (or until
its worker is killed).
"""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import threading
from collections.abc import Callable
from typing import Any


def gated(address: tuple[str, int], work: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """In the worker: tell the test, wait for its go, then do `work`."""
    with socket.create_connection(address) as gate:
        gate.sendall(f"{os.getpid()}\n".encode())
        if gate.recv(1) != b"1":
            raise RuntimeError("the test closed the gate without letting the work go")
    return work(*args, **kwargs)


def stuck() -> None:
    """Work that never ends on its own (its worker is killed past the budget)."""
    threading.Event().wait()


def grab(megabytes: int) -> int:
    """Work that needs more memory than its worker may have."""
    return len(bytearray(megabytes * 1024 * 1024))


def echo(value: Any) -> Any:
    return value


class Gate:
    """The test's side: `wrap(work)` is picklable work that waits here."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._arrived: asyncio.Queue[tuple[int, asyncio.StreamWriter]] = asyncio.Queue()
        self._writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> Gate:
        self._server = await asyncio.start_server(self._on_connect, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for writer in self._writers:
            writer.close()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        pid = int((await reader.readline()).decode())
        await self._arrived.put((pid, writer))

    def wrap(self, work: Callable[..., Any]) -> Callable[..., Any]:
        assert self._server is not None
        address = self._server.sockets[0].getsockname()[:2]
        return functools.partial(gated, address, work)

    async def arrived(self) -> tuple[int, asyncio.StreamWriter]:
        """The worker's pid, and the writer to `release` it, once the work is waiting."""
        return await self._arrived.get()

    @staticmethod
    async def release(writer: asyncio.StreamWriter) -> None:
        writer.write(b"1")
        await writer.drain()


def environment() -> dict[str, str]:
    """The worker's own environment, as the work running there sees it."""
    import os

    return dict(os.environ)
