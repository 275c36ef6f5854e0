"""The optional language-model path, against a local fake OpenAI-compatible server (no network)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dolbom.checkins import services
from dolbom.checkins.dialogue.engine import CallContext, DialogueEngine
from dolbom.checkins.dialogue.llm import LLMClient, LLMConfig, acceptable_line
from dolbom.checkins.models import CallStatus
from dolbom.checkins.tests.conftest import keyword_analysis, play


class FakeModel:
    def __init__(self) -> None:
        self.answer = "그러셨군요, 어르신. 요즘 몸은 좀 어떠세요?"
        self.delay = 0.0
        self.requests: list[dict] = []


@pytest.fixture
def fake_model() -> Iterator[tuple[FakeModel, str]]:
    model = FakeModel()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            model.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
            time.sleep(model.delay)
            data = json.dumps({"choices": [{"message": {"role": "assistant", "content": model.answer}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield model, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def _engine(url: str, timeout: float = 2.0) -> DialogueEngine:
    client = LLMClient(LLMConfig(url=url, model="fake-ko", key="secret", timeout=timeout))
    return DialogueEngine(context=CallContext(address="영숙 어르신"), analyse=keyword_analysis, phraser=client)


def test_the_model_phrases_the_reply_and_hears_what_the_client_said(fake_model):
    model, url = fake_model
    e = _engine(url)
    state: dict = {}
    e.opening(state)
    reply = e.respond(state, "네, 오늘 날이 좋네요")
    assert reply.text == model.answer and reply.phrased
    request = model.requests[-1]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer secret"
    assert "오늘 날이 좋네요" in request["body"]["messages"][-1]["content"]
    assert request["body"]["model"] == "fake-ko"


def test_a_slow_model_falls_back_to_the_rule_based_line(fake_model):
    model, url = fake_model
    model.delay = 1.0
    e = _engine(url, timeout=0.2)
    state: dict = {}
    e.opening(state)
    started = time.perf_counter()
    reply = e.respond(state, "네")
    assert time.perf_counter() - started < 0.9
    assert not reply.phrased and "몇 가지만 여쭤볼게요" in reply.text


def test_an_unusable_answer_is_refused():
    draft = "요즘 몸은 좀 어떠세요?"
    assert not acceptable_line("Sure! How are you?", draft)
    assert not acceptable_line("네, 알겠습니다. 다음 주제로 넘어갈게요.", draft)  # the question was dropped
    assert not acceptable_line("어르신 " * 80 + "어떠세요?", draft)
    assert acceptable_line("아이고, 다행이에요. 요즘 몸은 좀 어떠세요?", draft)


def test_the_safety_script_is_never_rephrased(fake_model):
    model, url = fake_model
    e = _engine(url)
    state: dict = {}
    e.opening(state)
    e.respond(state, "네")
    before = len(model.requests)
    reply = e.respond(state, "넘어졌어요")
    assert "119" in reply.text and not reply.phrased
    assert len(model.requests) == before


def test_with_a_model_configured_the_summary_is_written_by_it_and_signals_stay_rule_based(
        fake_model, settings, manager, enrolment):
    model, url = fake_model
    settings.DOLBOM_LLM_URL = url
    settings.DOLBOM_LLM_MODEL = "fake-ko"
    model.answer = "어르신은 무릎 통증을 말씀하셨습니다. 식사와 수면은 괜찮다고 하셨어요."
    call, _ = play(manager, enrolment, ["네", "무릎이 아파요", "아직요", "잘 먹어요", "잘 자요", "네", "좋아요", "없어요"])
    if call.status == CallStatus.IN_PROGRESS:
        services.call_hang_up(actor=manager, call=call)
        call.refresh_from_db()
    assert call.llm_used
    assert call.summary.startswith("어르신은 무릎 통증을") and "건강(중간)" in call.summary
    assert call.signals == {"health": "medium"}


def test_when_the_model_is_down_the_call_still_works(settings, manager, enrolment):
    settings.DOLBOM_LLM_URL = "http://127.0.0.1:9/v1"  # discard port: nothing listens
    settings.DOLBOM_LLM_MODEL = "fake-ko"
    settings.DOLBOM_LLM_TIMEOUT = 0.5
    call, result = play(manager, enrolment, ["네", "넘어졌어요"])
    assert "119" in result.text and call.safety
