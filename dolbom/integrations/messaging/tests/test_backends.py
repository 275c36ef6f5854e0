from __future__ import annotations

import io
import json
import stat

from django.utils import timezone

from dolbom.integrations.messaging import MessageKind, MessagePurpose, OutboundMessage, message_send
from dolbom.integrations.messaging.backends import ConsoleBackend, file_messages


def test_the_console_backend_prints_the_whole_message_for_the_developer(settings, capsys):
    settings.DOLBOM_MESSAGE_BACKEND = "console"
    result = message_send(to="010-1234-5678", text="인증번호 482913", purpose=MessagePurpose.ONE_TIME_CODE)
    printed = capsys.readouterr().out
    assert "010-1234-5678" in printed and "인증번호 482913" in printed and result.reference in printed
    assert result.backend == "console"


def test_the_console_backend_can_write_to_a_stream_of_the_callers():
    stream = io.StringIO()
    message = OutboundMessage(reference="r1", kind=MessageKind.SMS, to="01012345678", sender="", text="안녕하세요",
                              purpose="notice", template="", fallback=None, sensitive=False, created_at=timezone.now())
    assert ConsoleBackend(stream).send(message) == "r1"
    assert "안녕하세요" in stream.getvalue() and "010-1234-5678" in stream.getvalue()


def test_the_file_backend_appends_json_lines_only_its_owner_can_read(settings, tmp_path):
    settings.DOLBOM_MESSAGE_BACKEND = "file"
    settings.DOLBOM_MESSAGE_FILE = tmp_path / "outbox" / "messages.jsonl"
    first = message_send(to="010-1234-5678", text="인증번호 482913", purpose=MessagePurpose.ONE_TIME_CODE)
    message_send(to="010-9876-5432", text="방문 안내", purpose="reminder", template="VISIT_01")
    lines = settings.DOLBOM_MESSAGE_FILE.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["text"] == "인증번호 482913"
    assert stat.S_IMODE(settings.DOLBOM_MESSAGE_FILE.stat().st_mode) == 0o600
    read = file_messages()
    assert [m["to"] for m in read] == ["01012345678", "01098765432"]
    assert read[0]["reference"] == first.reference and read[0]["purpose"] == "one_time_code"
    assert read[1]["kind"] == "alimtalk" and read[1]["fallback"] == "sms" and read[1]["template"] == "VISIT_01"


def test_reading_a_file_that_was_never_written_gives_no_messages(tmp_path):
    assert file_messages(tmp_path / "none.jsonl") == []


def test_the_locmem_outbox_starts_empty_in_every_test(message_outbox):
    assert message_outbox == []
    message_send(to="01012345678", text="안녕하세요", purpose="notice")
    assert len(message_outbox) == 1
