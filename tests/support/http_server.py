"""A real HTTP server on 127.0.0.1 for testing the HTTP providers.

`routes` maps (method, path) to a callable(request_json, headers) -> (status, body_dict) or
raises `Hang(seconds)` to simulate a slow service. Every request is recorded in `calls`.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hang(Exception):
    def __init__(self, seconds: float):
        self.seconds = seconds


class LocalHttpServer:
    def __init__(self):
        self.routes = {}
        self.calls = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                payload = json.loads(raw) if raw else None
                server.calls.append(
                    {"method": self.command, "path": self.path, "json": payload, "headers": dict(self.headers)}
                )
                route = server.routes.get((self.command, self.path.split("?")[0]))
                if route is None:
                    status, body = 404, {"error": "no route"}
                else:
                    try:
                        status, body = route(payload, dict(self.headers))
                    except Hang as hang:
                        time.sleep(hang.seconds)
                        status, body = 504, {"error": "hung"}
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and went away, as the test intended

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
