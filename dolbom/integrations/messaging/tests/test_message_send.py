from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from dolbom.integrations.messaging import (
    MessageError,
    MessageErrorCode,
    MessageKind,
    MessagePurpose,
    OutboundMessage,
    message_send,
)

CODE_TEXT = "[전주시 통합돌봄] 인증번호 482913 (5분 안에 입력하세요)"


def test_a_message_goes_to_the_outbox_with_the_number_normalised(message_outbox):
    result = message_send(to="010-1234-5678", text="내일 10시 방문 예정입니다.", purpose=MessagePurpose.REMINDER)
    assert result.to == "01012345678" and result.backend == "locmem" and result.kind == MessageKind.SMS
    [sent] = message_outbox
    assert sent.to == "01012345678" and sent.text == "내일 10시 방문 예정입니다." and sent.purpose == "reminder"
    assert sent.reference == result.reference == result.gateway_id and len(sent.reference) == 32


def test_up_to_90_bytes_is_an_sms_and_longer_an_lms():
    assert message_send(to="01012345678", text="가" * 45, purpose="notice").kind == MessageKind.SMS
    assert message_send(to="01012345678", text="가" * 46, purpose="notice").kind == MessageKind.LMS
    assert message_send(to="01012345678", text="a" * 90, purpose="notice").kind == MessageKind.SMS
    assert message_send(to="01012345678", text="a" * 89 + "가", purpose="notice").kind == MessageKind.LMS
    # Syllables outside EUC-KR's 2,350 still count two bytes (CP949), as the gateways count them.
    assert message_send(to="01012345678", text="똠" * 45, purpose="notice").kind == MessageKind.SMS


def test_it_refuses_a_text_longer_than_an_lms_rather_than_splitting_it(message_outbox):
    message_send(to="01012345678", text="가" * 1000, purpose="notice")
    with pytest.raises(MessageError) as caught:
        message_send(to="01012345678", text="가" * 1000 + "a", purpose="notice")
    assert caught.value.code == MessageErrorCode.TOO_LONG
    assert caught.value.params == {"length": "2,001", "limit": "2,000"}
    assert len(message_outbox) == 1


def test_it_refuses_characters_no_text_message_can_carry():
    with translation.override("ko"), pytest.raises(MessageError) as caught:
        message_send(to="01012345678", text="생신 축하드려요 🎂", purpose="notice")
    assert caught.value.code == MessageErrorCode.UNSUPPORTED_CHARACTERS
    assert caught.value.message == "문자 메시지로 보낼 수 없는 글자가 있습니다: 🎂"


def test_it_refuses_an_empty_text_and_a_bad_number_before_anything_is_sent(message_outbox):
    with pytest.raises(MessageError) as empty:
        message_send(to="01012345678", text="  \n", purpose="notice")
    with pytest.raises(MessageError) as bad:
        message_send(to="063-281-2114", text="안녕하세요", purpose="notice")
    assert (empty.value.code, bad.value.code) == (MessageErrorCode.EMPTY_TEXT, MessageErrorCode.INVALID_PHONE)
    assert message_outbox == []


def test_a_purpose_must_be_a_short_code():
    for purpose in ("", "One Time Code", "일회용", "x" * 41):
        with pytest.raises(ValueError):
            message_send(to="01012345678", text="안녕하세요", purpose=purpose)


def test_a_template_sends_an_alimtalk_that_falls_back_to_sms_or_lms(message_outbox):
    short = message_send(to="01012345678", text="방문 일정 안내", purpose="reminder", template="VISIT_01")
    long = message_send(to="01012345678", text="가" * 100, purpose="reminder", template="VISIT_02")
    emoji = message_send(to="01012345678", text="생신 축하드려요 🎂", purpose="notice", template="BIRTHDAY")
    assert [m.kind for m in message_outbox] == [MessageKind.ALIMTALK] * 3
    assert [m.fallback for m in message_outbox] == [MessageKind.SMS, MessageKind.LMS, None]
    assert [m.template for m in message_outbox] == ["VISIT_01", "VISIT_02", "BIRTHDAY"]
    assert short.kind == long.kind == emoji.kind == MessageKind.ALIMTALK


def test_an_alimtalk_holds_at_most_1000_characters():
    message_send(to="01012345678", text="a" * 1000, purpose="notice", template="T")
    with pytest.raises(MessageError) as caught:
        message_send(to="01012345678", text="a" * 1001, purpose="notice", template="T")
    assert caught.value.code == MessageErrorCode.TEMPLATE_TOO_LONG


def test_the_sender_number_is_the_configured_one_in_digits(settings, message_outbox):
    settings.DOLBOM_MESSAGE_SENDER = "063-281-2114"
    message_send(to="01012345678", text="안녕하세요", purpose="notice")
    assert message_outbox[0].sender == "0632812114"


def test_a_reference_given_by_the_caller_is_kept(message_outbox):
    result = message_send(to="01012345678", text="안녕하세요", purpose="alert", reference="alert-77")
    assert result.reference == message_outbox[0].reference == "alert-77"


def test_no_log_line_holds_a_one_time_code(caplog):
    caplog.set_level(logging.DEBUG, logger="dolbom.integrations.messaging")
    message_send(to="010-1234-5678", text=CODE_TEXT, purpose=MessagePurpose.ONE_TIME_CODE)
    message_send(to="010-1234-5678", text="다른 안내 482913", purpose="notice", sensitive=True)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "482913" not in logged and "010-1234-5678" not in logged and "01012345678" not in logged
    assert "010-****-5678" in logged


def test_at_info_no_text_is_logged_at_all_and_at_debug_only_an_ordinary_one(caplog):
    caplog.set_level(logging.DEBUG, logger="dolbom.integrations.messaging")
    message_send(to="01012345678", text="내일 방문합니다", purpose="reminder")
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert info and not any("내일 방문합니다" in line for line in info)
    assert any("내일 방문합니다" in line for line in debug)


@pytest.mark.parametrize("backend", ["console", "file", "locmem"])
def test_production_accepts_only_the_gateway(settings, backend):
    settings.PRODUCTION = True
    settings.DOLBOM_MESSAGE_BACKEND = backend
    with pytest.raises(ImproperlyConfigured, match="production"):
        message_send(to="01012345678", text="안녕하세요", purpose="notice")


def test_an_unknown_backend_is_a_configuration_error(settings):
    settings.DOLBOM_MESSAGE_BACKEND = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured, match="carrier-pigeon"):
        message_send(to="01012345678", text="안녕하세요", purpose="notice")


class Recorder:
    name = "recorder"
    sent: list[OutboundMessage] = []

    def send(self, message: OutboundMessage) -> str:
        self.sent.append(message)
        return "gw-1"


def test_a_dotted_path_names_a_backend_of_ones_own(settings):
    settings.DOLBOM_MESSAGE_BACKEND = f"{__name__}.Recorder"
    result = message_send(to="01012345678", text="안녕하세요", purpose="notice")
    assert result.backend == "recorder" and result.gateway_id == "gw-1" and Recorder.sent[-1].text == "안녕하세요"
