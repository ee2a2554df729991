"""Lambda Function URLs, locally: request → function URL event (payload 2.0) → handler → response.

`function_url_event` builds the event AWS sends; `LocalHttpServer` serves a deployed function on a
localhost port so a browser can use it (the browser tests and `make console`).
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

#: How often the server's loop looks for a shutdown: closing it waits up to this long (socketserver's default, 0.5 s,
#: was up to a second of every demo run: two screenshot servers closed in turn).
SHUTDOWN_POLL = 0.02


def function_url_event(method: str, path: str, body: bytes | str | None = None,
                       headers: dict[str, str] | None = None) -> dict[str, Any]:
    parts = urlsplit(path)
    raw = body.encode() if isinstance(body, str) else (body or b"")
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path or "/",
        "rawQueryString": parts.query,
        "headers": headers,
        "queryStringParameters": dict(p.split("=", 1) if "=" in p else (p, "") for p in parts.query.split("&") if p)
        or None,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "local",
            "domainName": headers.get("host", "localhost"),
            "domainPrefix": "local",
            "http": {
                "method": method.upper(),
                "path": parts.path or "/",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent", "local"),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": base64.b64encode(raw).decode() if raw else None,
        "isBase64Encoded": bool(raw),
    }


def decode_response(result: Any) -> tuple[int, dict[str, str], bytes]:
    """A handler's function URL response as (status, headers, body bytes)."""
    if not isinstance(result, dict) or "statusCode" not in result:
        import json

        return 200, {"content-type": "application/json"}, json.dumps(result).encode()
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
    for cookie in result.get("cookies") or []:
        headers.setdefault("set-cookie", cookie)
    return int(result["statusCode"]), headers, data


class LocalHttpServer:
    """Serves function URLs of the local stack on 127.0.0.1: prefix → deployed function logical id."""

    def __init__(self, aws, routes: dict[str, str], port: int = 0):
        self._aws = aws
        self._routes = sorted(routes.items(), key=lambda item: -len(item[0]))
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                status, headers, data = server.dispatch(self.command, self.path, body, dict(self.headers))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

            def log_message(self, *_args) -> None:
                return None

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(SHUTDOWN_POLL,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def dispatch(self, method: str, path: str, body: bytes | None, headers: dict[str, str]):
        for prefix, logical_id in self._routes:
            if path.startswith(prefix):
                with self._lock:  # one request at a time: the in-process stack is not re-entrant
                    return self._aws.http(logical_id, method, path, body, headers)
        return 404, {"content-type": "text/plain"}, b"not found"

    def __enter__(self) -> LocalHttpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
