"""A TLS server for the real kubectl's exec/attach: `websockets` answers the v5.channel.k8s.io upgrade and
drives `visualizer.kubeapi.execute.ExecSession`; every plain HTTP request (discovery, `GET pods/p`) goes to
`server.handle`. Test-only stand-in for the lead's ASGI transport, to check the session against kubectl.

    with ExecHarness() as api:
        rc, out, err = api.kubectl("exec", "web", "--", "ls")
"""

from __future__ import annotations

import ssl
import threading
import time
from urllib.parse import parse_qs, urlsplit

from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Response
from websockets.sync.server import serve

from visualizer.kubeapi import channels_v5, server, tls
from visualizer.kubeapi.execute import ExecSession
from visualizer.kubeapi.http import ApiRequest, ApiResponse
from visualizer.kubeapi.router import Target, route

from .harness import PREFIX, TOKENS, ApiHarness


class ExecHarness(ApiHarness):
    """ApiHarness whose server is `websockets` (HTTP answered through process_request)."""

    def __enter__(self) -> ExecHarness:
        bundle = tls.ensure(self.home / "tls", [])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(bundle.cert_file, bundle.key_file)
        self.ws = serve(
            self._session,
            "127.0.0.1",
            0,
            ssl=context,
            process_request=self._http,
            subprotocols=[channels_v5.PROTOCOL],
        )
        self.port = self.ws.socket.getsockname()[1]
        self.url = f"https://127.0.0.1:{self.port}{PREFIX}"
        self._threads = [
            threading.Thread(target=self.ws.serve_forever, daemon=True),
            threading.Thread(target=self._clock, daemon=True),
        ]
        for t in self._threads:
            t.start()
        self._write_kubeconfigs(bundle)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.ws.shutdown()
        self._tmp.cleanup()

    def _write_kubeconfigs(self, bundle) -> None:
        from visualizer.kubeapi import kubeconfig

        self.kubeconfigs = {}
        for token, (role, user) in TOKENS.items():
            path = self.home / f"{role}.kubeconfig"
            path.write_text(
                kubeconfig.build(
                    server=self.url, ca_pem=bundle.ca_pem, token=token, name="orchestra-test", user=user
                )
            )
            self.kubeconfigs[role] = path

    # ------------------------------------------------------------------ HTTP
    def _target(self, request) -> tuple[Target | None, dict]:
        parts = urlsplit(request.path)
        where = route(parts.path[len(PREFIX) :]) if parts.path.startswith(PREFIX) else None
        return (where if isinstance(where, Target) else None), parse_qs(parts.query, keep_blank_values=True)

    def _http(self, connection, request):
        where, query = self._target(request)
        upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
        if upgrade and where is not None and where.subresource in ("exec", "attach"):
            session = ExecSession(
                self.ctx, where.namespace, where.name, query, attach=where.subresource == "attach"
            )
            with self.lock:
                opened = session.open(self.ctx)
            if isinstance(opened, ApiResponse):
                return _response(opened)
            connection.exec_session = (session, opened)
            return None
        parts = urlsplit(request.path)
        self.requests.append(
            ("GET", parts.path[len(PREFIX) :] + ("?" + parts.query if parts.query else ""), "")
        )
        auth = request.headers.get("Authorization", "")
        if auth[len("Bearer ") :] not in TOKENS:
            return _response(ApiResponse(401, b'{"kind":"Status","code":401}'))
        req = ApiRequest(
            method="GET",
            path=parts.path[len(PREFIX) :] or "/",
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in request.headers.raw_items()},
        )
        with self.lock:
            self.ctx.sync(self.cluster)
            resp = server.handle(self.ctx, req)
        return _response(resp)

    # ------------------------------------------------------------------ websocket
    def _session(self, connection) -> None:
        session, frames = connection.exec_session
        try:
            self._send(connection, frames)
            while not session.finished and not self._stop.is_set():
                try:
                    message = connection.recv(timeout=0.05)
                except TimeoutError:
                    message = None
                with self.lock:
                    if message is not None and isinstance(message, bytes):
                        frames = session.feed(self.ctx, *channels_v5.decode(message))
                    else:
                        frames = session.poll(self.ctx)
                self._send(connection, frames)
            time.sleep(0.05)
            connection.close()
        except ConnectionClosed:
            with self.lock:
                session.close(self.ctx)

    @staticmethod
    def _send(connection, frames) -> None:
        for channel, data in frames:
            connection.send(channels_v5.encode(channel, data))


def _response(resp: ApiResponse) -> Response:
    headers = Headers([("Content-Type", resp.content_type), *resp.headers])
    headers["Content-Length"] = str(len(resp.body))
    return Response(resp.status, "", headers, resp.body)
