"""Brokers that fail: Celery pointed at a closed port, at a Redis that accepts the
connection and then hangs up (as one that is stopped in the middle of a request), or at one
that accepts and then says nothing (a network that drops packets).

The machine's real Redis is never stopped: other test sessions use it. The failing servers
are tiny sockets on 127.0.0.1 that live as long as the context manager.
"""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager, suppress

from npo_portal.celery import app as celery_app

MODES = ("refused", "hangs-up", "silent")


class _FailingServer:
    """Listens on 127.0.0.1; each connection is read once and closed ("hangs-up") or kept
    open without an answer ("silent")."""

    def __init__(self, mode: str):
        self.mode = mode
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _address = self.listener.accept()
            except OSError:
                continue
            if self.mode == "hangs-up":
                connection.settimeout(1)
                with suppress(OSError):
                    connection.recv(65536)  # the first command arrives, then Redis is gone
                connection.close()
            else:
                self.open.append(connection)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()
        for connection in self.open:
            connection.close()
        self.listener.close()


def _closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _reset_connections() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    with suppress(AttributeError):
        del celery_app._local.backend


@contextmanager
def failing_broker(settings, mode: str = "refused", *, result_backend_only: bool = False):
    """Celery (broker and result backend, as with one REDIS_URL) pointed at a failing
    Redis; with `result_backend_only`, only the result store fails and the broker is the
    real one."""
    assert mode in MODES
    server = None if mode == "refused" else _FailingServer(mode)
    port = server.port if server else _closed_port()
    url = f"redis://127.0.0.1:{port}/0"
    conf = celery_app.conf
    before = (conf.task_always_eager, conf.broker_url, conf.result_backend)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    conf.task_always_eager = False
    if result_backend_only:
        conf.broker_url = settings.CELERY_BROKER_URL
    else:
        conf.broker_url = url
    conf.result_backend = url
    _reset_connections()
    try:
        yield url
    finally:
        conf.task_always_eager, conf.broker_url, conf.result_backend = before
        _reset_connections()
        if server:
            server.close()
