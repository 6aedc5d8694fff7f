"""A partner's webhook receiver on a local port, in a thread: it records every request and
answers what the test tells it (a status per event id, a delay, a redirect)."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    received: list = field(default_factory=list)
    status: int = 200
    # Event id -> status for that event (else `status`).
    status_for: dict = field(default_factory=dict)
    delay: float = 0.0
    redirect_to: str = ""

    def event_ids(self) -> list[str]:
        return [r.headers["X-Event-Id"] for r in self.received]


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    state: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.received.append(Received(self.path, dict(self.headers), body))
            if state.delay:
                time.sleep(state.delay)
            if state.redirect_to:
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.end_headers()
                return
            code = state.status_for.get(self.headers.get("X-Event-Id"), state.status)
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # many senders at once: the default 5 refuses connections

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
