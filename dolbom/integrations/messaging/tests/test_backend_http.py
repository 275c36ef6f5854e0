"""The http backend against a gateway stand-in: a real HTTP server on 127.0.0.1 in a thread."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from dolbom.integrations.messaging import MessageError, MessageErrorCode, MessagePurpose, message_send


@dataclass
class Gateway:
    url: str
    requests: list[dict] = field(default_factory=list)
    status: int = 200
    answer: bytes = b'{"id": "gw-123"}'
    delay: float = 0.0
    location: str = ""


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    state = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
            time.sleep(state.delay)
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.answer)))
            self.end_headers()
            self.wfile.write(state.answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/v1/messages"
    settings.DOLBOM_MESSAGE_BACKEND = "http"
    settings.DOLBOM_MESSAGE_HTTP_URL = state.url
    settings.DOLBOM_MESSAGE_HTTP_KEY = "gateway-key"
    settings.DOLBOM_MESSAGE_HTTP_TIMEOUT = 2.0
    settings.DOLBOM_MESSAGE_SENDER = "063-281-2114"
    yield state
    server.shutdown()
    server.server_close()


def test_it_posts_the_documented_json_with_the_key_and_keeps_the_gateways_id(gateway):
    result = message_send(to="010-1234-5678", text="[전주시] 인증번호 482913", purpose=MessagePurpose.ONE_TIME_CODE)
    [request] = gateway.requests
    assert request["path"] == "/v1/messages"
    assert request["headers"]["Authorization"] == "Bearer gateway-key"
    assert request["headers"]["Idempotency-Key"] == result.reference
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert request["body"] == {"reference": result.reference, "kind": "sms", "to": "01012345678",
                               "from": "0632812114", "text": "[전주시] 인증번호 482913", "template": "",
                               "fallback": None, "purpose": "one_time_code"}
    assert result.backend == "http" and result.gateway_id == "gw-123"


def test_an_alimtalk_names_its_template_and_its_fallback(gateway):
    message_send(to="01012345678", text="가" * 60, purpose="reminder", template="VISIT_01")
    body = gateway.requests[0]["body"]
    assert (body["kind"], body["template"], body["fallback"]) == ("alimtalk", "VISIT_01", "lms")


def test_an_answer_without_an_id_keeps_our_reference(gateway):
    gateway.answer = b""
    result = message_send(to="01012345678", text="안녕하세요", purpose="notice")
    assert result.gateway_id == result.reference


def test_a_refusal_is_gateway_refused_and_is_not_retried(gateway, caplog):
    gateway.status = 400
    gateway.answer = json.dumps({"code": "blocked_number", "text": "[전주시] 인증번호 482913"}).encode()
    with pytest.raises(MessageError) as caught:
        message_send(to="01012345678", text="[전주시] 인증번호 482913", purpose=MessagePurpose.ONE_TIME_CODE)
    assert caught.value.code == MessageErrorCode.GATEWAY_REFUSED and caught.value.status_code == 502
    assert len(gateway.requests) == 1
    # The gateway echoed the text: only its status and its own code reach the log.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "400" in logged and "blocked_number" in logged and "482913" not in logged


def test_a_gateway_error_is_gateway_unavailable_and_is_not_retried(gateway, caplog):
    gateway.status, gateway.answer = 503, b'{"code": "busy"}'
    with pytest.raises(MessageError) as caught:
        message_send(to="01012345678", text="[전주시] 인증번호 482913", purpose=MessagePurpose.ONE_TIME_CODE)
    assert caught.value.code == MessageErrorCode.GATEWAY_UNAVAILABLE and caught.value.status_code == 503
    assert len(gateway.requests) == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "503" in logged and "busy" in logged and "482913" not in logged


def test_a_gateway_slower_than_the_timeout_gives_up_within_it(gateway, settings):
    settings.DOLBOM_MESSAGE_HTTP_TIMEOUT = 0.3
    gateway.delay = 1.5
    started = time.monotonic()
    with pytest.raises(MessageError) as caught:
        message_send(to="01012345678", text="안녕하세요", purpose="notice")
    assert caught.value.code == MessageErrorCode.GATEWAY_UNAVAILABLE
    assert time.monotonic() - started < 1.2
    assert len(gateway.requests) == 1


def test_nobody_listening_is_gateway_unavailable(settings):
    settings.DOLBOM_MESSAGE_BACKEND = "http"
    settings.DOLBOM_MESSAGE_HTTP_URL = "http://127.0.0.1:9/v1/messages"  # discard port: nothing listens
    with pytest.raises(MessageError) as caught:
        message_send(to="01012345678", text="안녕하세요", purpose="notice")
    assert caught.value.code == MessageErrorCode.GATEWAY_UNAVAILABLE


def test_a_redirect_is_not_followed_so_the_key_goes_nowhere_else(gateway):
    gateway.status, gateway.location = 307, gateway.url.replace("/v1/messages", "/elsewhere")
    with pytest.raises(MessageError):
        message_send(to="01012345678", text="안녕하세요", purpose="notice")
    assert [r["path"] for r in gateway.requests] == ["/v1/messages"]


def test_without_a_gateway_address_the_http_backend_is_a_configuration_error(settings):
    settings.DOLBOM_MESSAGE_BACKEND = "http"
    settings.DOLBOM_MESSAGE_HTTP_URL = ""
    with pytest.raises(ImproperlyConfigured, match="DOLBOM_MESSAGE_HTTP_URL"):
        message_send(to="01012345678", text="안녕하세요", purpose="notice")
