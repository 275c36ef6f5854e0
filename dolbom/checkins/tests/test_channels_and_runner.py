"""The channel adapters and the due-runner command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from dolbom.checkins import services
from dolbom.checkins.channels import TextChannel, VoiceGatewayAdapter, channel_for
from dolbom.checkins.models import Call, CallStatus, Channel, MemoryChange


class FakeVoice(VoiceGatewayAdapter):
    def synthesise(self, text: str) -> bytes:
        return text.encode("utf-8")

    def transcribe(self, audio: bytes) -> str:
        return audio.decode("utf-8")


def test_a_voice_gateway_wraps_the_same_text_turns():
    voice = FakeVoice()
    out = voice.say("안녕하세요")
    assert out.audio == "안녕하세요".encode() and out.text == "안녕하세요"
    assert voice.hear(" 네 \n".encode()) == "네"
    with pytest.raises(NotImplementedError):
        VoiceGatewayAdapter().say("안녕하세요")
    assert channel_for("voice").name == Channel.VOICE and TextChannel().hear("  네  ") == "네"


@pytest.mark.django_db
def test_the_runner_command_makes_the_due_calls(manager, enrolment):
    out = io.StringIO()
    when = timezone.localtime(enrolment.next_due_at + dt.timedelta(minutes=5)).isoformat()
    call_command("checkins", "run-due", "--now", when, stdout=out)
    assert "scheduled 1" in out.getvalue()
    assert Call.objects.get(enrolment=enrolment).status == CallStatus.DUE


@pytest.mark.django_db
def test_a_memory_correction_keeps_the_old_value_and_the_reason(manager, enrolment):
    services.memory_correct(actor=manager, enrolment=enrolment, slot="pets", value="강아지 복실이", ask_next=False,
                            reason="첫 방문 때 확인")
    memory = services.memory_correct(actor=manager, enrolment=enrolment, slot="pets", value="고양이 나비",
                                     ask_next=False, reason="딸이 정정함")
    change = MemoryChange.objects.filter(memory=memory).first()
    assert (change.old_value, change.new_value, change.actor, change.reason) == (
        "강아지 복실이", "고양이 나비", manager, "딸이 정정함")
    assert memory.cue == "고양이"
