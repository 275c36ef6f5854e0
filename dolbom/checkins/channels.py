"""Channels a check-in call runs over.

The dialogue works on text. A channel turns what the caller says into what the client hears, and
what the client says back into text. The web chat page and the telephony gateway's text API are the
text channel; a voice gateway adds text-to-speech and speech-to-text around the same turns.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from dolbom.checkins.models import Channel


@dataclass(frozen=True)
class Outgoing:
    text: str
    audio: bytes | None = None  # a voice channel's synthesised speech
    audio_type: str = ""


class ChannelAdapter(ABC):
    name: Channel

    @abstractmethod
    def say(self, text: str) -> Outgoing:
        """What the client receives for one line of the caller."""

    @abstractmethod
    def hear(self, payload: str | bytes) -> str:
        """The client's turn as text."""


class TextChannel(ChannelAdapter):
    """The chat page and a gateway that does its own speech recognition and synthesis."""

    def __init__(self, name: Channel = Channel.WEB_CHAT) -> None:
        self.name = name

    def say(self, text: str) -> Outgoing:
        return Outgoing(text=text)

    def hear(self, payload: str | bytes) -> str:
        text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
        return text.strip()[:1000]


class VoiceGatewayAdapter(ChannelAdapter):
    """A telephony gateway that sends audio: subclass with a speech engine that runs on our own
    servers (nothing is downloaded at run time) and implement these two methods."""

    name = Channel.VOICE

    def say(self, text: str) -> Outgoing:
        return Outgoing(text=text, audio=self.synthesise(text), audio_type="audio/wav")

    def hear(self, payload: str | bytes) -> str:
        return self.transcribe(payload if isinstance(payload, bytes) else payload.encode()).strip()[:1000]

    def synthesise(self, text: str) -> bytes:
        raise NotImplementedError("text-to-speech is provided by the deployment's voice gateway")

    def transcribe(self, audio: bytes) -> str:
        raise NotImplementedError("speech-to-text is provided by the deployment's voice gateway")


def channel_for(name: str) -> ChannelAdapter:
    if name == Channel.VOICE:
        return VoiceGatewayAdapter()
    return TextChannel(Channel(name) if name in Channel.values else Channel.WEB_CHAT)
