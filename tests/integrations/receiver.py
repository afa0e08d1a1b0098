"""A real HTTP receiver for webhooks: a small threaded server on loopback that records every
request and answers with the statuses it is told (then 200)."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses to give, in order; then 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)

    def answer_next(self) -> int:
        return self.answers.pop(0) if self.answers else 200


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            receiver.requests.append(Received(self.path, dict(self.headers.items()), self.rfile.read(length)))
            self.send_response(receiver.answer_next())
            for name, value in receiver.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(receiver.body)))
            self.end_headers()
            self.wfile.write(receiver.body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks/chairtime")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server
