"""Local stand-ins for the SMS gateway and the Telegram Bot API: real HTTP servers on 127.0.0.1 (a free
port), each in a background thread, so the channels are tested over the wire without the network.

Both record every message they deliver (`delivered`) and count every request (`requests`); both
honour `Idempotency-Key` the way decision 0009 asks of a gateway: a repeated key gets the first
answer again and delivers nothing. They check the bearer token (SMS, 401) or the bot token in the
path (Telegram, 401; an unknown path 404), can be told to fail the next requests
(`fail_next(2, status=500)`) and to be slow (`delay`, seconds before answering, after the delivery
is recorded: a client that gives up or dies meanwhile has still delivered its message).

    with fake_sms_gateway(settings) as gateway:   # settings: pytest-django's fixture
        ...                                        # KENES_SMS_URL and KENES_SMS_TOKEN point at it
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

STOP_TIMEOUT = 5.0
TEST_TOKEN = "test-token"


@dataclass(frozen=True)
class Delivery:
    """One message the fake delivered: the recipient, the text, the key and the answer's reference."""

    to: str
    text: str
    idempotency_key: str
    reference: str
    payload: dict[str, Any] = field(default_factory=dict)


Answer = tuple[int, dict[str, Any]]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeService) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out or was killed leaves a broken pipe behind: that is the point of the test.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        fake = self.server.fake
        status, body = fake.answer(self.path, self.headers, raw)
        fake.wait_before_answering()
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeService:
    """What both fakes share: the server thread, the records, failures on demand, idempotency."""

    def __init__(self, *, token: str = TEST_TOKEN, delay: float = 0.0) -> None:
        self.token = token
        self.delay = delay
        self.delivered: list[Delivery] = []
        self.requests = 0
        self._results: dict[str, Answer] = {}
        self._failures: list[int] = []
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # Running ---------------------------------------------------------------------------------

    def start(self) -> Self:
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes the handlers that are being slow
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # Steering --------------------------------------------------------------------------------

    def fail_next(self, count: int, *, status: int = 500) -> None:
        """The next `count` requests (that pass the token check) fail with `status`."""
        with self._changed:
            self._failures.extend([status] * count)

    def wait_for_deliveries(self, count: int = 1, *, timeout: float = 10.0) -> bool:
        """Whether `count` messages were delivered within `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.delivered) >= count, timeout=timeout)

    def wait_before_answering(self) -> None:
        if self.delay > 0:
            self._stopping.wait(self.delay)

    # Answering -------------------------------------------------------------------------------

    def answer(self, path: str, headers: Message, raw: bytes) -> Answer:
        with self._changed:
            self.requests += 1
            refusal = self.refuse(path, headers)
            if refusal is not None:
                return refusal
            if self._failures:
                return self.failure(self._failures.pop(0))
            try:
                payload = json.loads(raw)
            except ValueError:
                return self.bad_request("The body is not JSON")
            if not isinstance(payload, dict):
                return self.bad_request("The body is not a JSON object")
            key = headers.get("Idempotency-Key") or ""
            if key and key in self._results:
                return self._results[key]
            delivery_or_error = self.deliver(payload, key)
            if not isinstance(delivery_or_error, Delivery):
                return delivery_or_error
            self.delivered.append(delivery_or_error)
            result = self.success(delivery_or_error)
            if key:
                self._results[key] = result
            self._changed.notify_all()
            return result

    def refuse(self, path: str, headers: Message) -> Answer | None:
        raise NotImplementedError

    def failure(self, status: int) -> Answer:
        raise NotImplementedError

    def bad_request(self, description: str) -> Answer:
        raise NotImplementedError

    def deliver(self, payload: dict[str, Any], key: str) -> Delivery | Answer:
        raise NotImplementedError

    def success(self, delivery: Delivery) -> Answer:
        raise NotImplementedError


class FakeSmsGateway(FakeService):
    """POST {url} with {"to", "text"}, `Authorization: Bearer <token>` → 200 {"id": "sms-N"}."""

    PATH = "/v1/messages"

    @property
    def url(self) -> str:
        return self.base_url + self.PATH

    def refuse(self, path: str, headers: Message) -> Answer | None:
        if path != self.PATH:
            return 404, {"error": "not_found"}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": "unauthorized", "detail": "Wrong or missing bearer token"}
        return None

    def failure(self, status: int) -> Answer:
        return status, {"error": "failing_on_purpose", "detail": f"The fake was told to answer {status}"}

    def bad_request(self, description: str) -> Answer:
        return 400, {"error": "bad_request", "detail": description}

    def deliver(self, payload: dict[str, Any], key: str) -> Delivery | Answer:
        to, text = payload.get("to"), payload.get("text")
        if not isinstance(to, str) or not re.fullmatch(r"\+[1-9][0-9]{7,14}", to):
            return self.bad_request("'to' must be a phone number in E.164")
        if not isinstance(text, str) or not text:
            return self.bad_request("'text' must not be empty")
        reference = f"sms-{len(self.delivered) + 1}"
        return Delivery(to=to, text=text, idempotency_key=key, reference=reference, payload=payload)

    def success(self, delivery: Delivery) -> Answer:
        return 200, {"id": delivery.reference, "status": "queued"}


class FakeTelegramApi(FakeService):
    """POST {base_url}/bot<token>/sendMessage with {"chat_id", "text", …} → {"ok": true, "result": …},
    answering errors the way the Bot API does: {"ok": false, "error_code", "description"}."""

    METHOD = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")
    FIRST_MESSAGE_ID = 100

    @property
    def url(self) -> str:
        return self.base_url

    @staticmethod
    def error(status: int, description: str) -> Answer:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if status == 429:
            body["parameters"] = {"retry_after": 1}
        return status, body

    def refuse(self, path: str, headers: Message) -> Answer | None:
        found = self.METHOD.match(path)
        if found is None or found["method"] != "sendMessage":
            return self.error(404, "Not Found")
        if found["token"] != self.token:
            return self.error(401, "Unauthorized")
        return None

    def failure(self, status: int) -> Answer:
        descriptions = {429: "Too Many Requests: retry after 1", 400: "Bad Request: chat not found"}
        return self.error(status, descriptions.get(status, "Internal Server Error"))

    def bad_request(self, description: str) -> Answer:
        return self.error(400, f"Bad Request: {description}")

    def deliver(self, payload: dict[str, Any], key: str) -> Delivery | Answer:
        chat_id, text = payload.get("chat_id"), payload.get("text")
        if not isinstance(chat_id, int | str) or not str(chat_id).lstrip("-").isdigit():
            return self.bad_request("chat not found")
        if not isinstance(text, str) or not text:
            return self.bad_request("message text is empty")
        reference = str(self.FIRST_MESSAGE_ID + len(self.delivered))
        return Delivery(to=str(chat_id), text=text, idempotency_key=key, reference=reference, payload=payload)

    def success(self, delivery: Delivery) -> Answer:
        result = {
            "message_id": int(delivery.reference),
            "date": int(time.time()),
            "chat": {"id": int(delivery.to), "type": "private"},
            "text": delivery.text,
        }
        return 200, {"ok": True, "result": result}


@contextmanager
def fake_sms_gateway(settings: Any, **options: Any) -> Iterator[FakeSmsGateway]:
    """A running fake gateway with KENES_SMS_URL and KENES_SMS_TOKEN pointing at it (`settings` is
    pytest-django's fixture, which restores them after the test)."""
    with FakeSmsGateway(**options) as gateway:
        settings.KENES_SMS_URL = gateway.url
        settings.KENES_SMS_TOKEN = gateway.token
        yield gateway


@contextmanager
def fake_telegram_api(settings: Any, **options: Any) -> Iterator[FakeTelegramApi]:
    """A running fake Bot API with KENES_TELEGRAM_API and KENES_TELEGRAM_BOT_TOKEN pointing at it."""
    with FakeTelegramApi(**options) as api:
        settings.KENES_TELEGRAM_API = api.url
        settings.KENES_TELEGRAM_BOT_TOKEN = api.token
        yield api
