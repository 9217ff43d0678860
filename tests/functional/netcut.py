"""A network cable a test can pull: a TCP relay in front of a server, for engines with no offline switch.

Chromium's ``context.set_offline`` has no counterpart in classic WebDriver (WebKitGTK) or in Firefox's
WebDriver BiDi as it ships in ESR. The browser talks to the relay's port instead of the server's; ``cut()``
closes the listening socket and every open connection, so from then on the origin refuses connections
the way an unreachable shop does on a train between stations, while the server itself keeps running.
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlparse


class Relay:
    def __init__(self, upstream_url: str):
        """Relay to the server at ``upstream_url``; ``url`` is the same origin but for the relay's port."""
        upstream = urlparse(upstream_url)
        self.upstream = ("127.0.0.1", upstream.port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.url = f"{upstream.scheme}://{upstream.hostname}:{self.port}"
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.cut_off = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                if self.cut_off:
                    client.close()
                    server.close()
                    return
                self._open.update((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        """Refuse every new connection and drop the open ones."""
        with self._lock:
            self.cut_off = True
            # shutdown() first: close() alone leaves the socket listening while a thread waits in accept().
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            for s in self._open:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self._open.clear()

    def refuses(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return True
        return False

    close = cut
