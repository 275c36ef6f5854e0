"""MQTT connections (paho-mqtt, the Eclipse client: maintained, MQTT 3.1.1 and 5, manual acknowledgement).

The ingest worker connects with MQTT 5, a fixed client id, ``clean_start=False`` and a session expiry, so
that the broker keeps its subscription and every event not yet acknowledged while the worker is away (a
crash, a deploy) and sends them again when it is back. It asks for a large *receive maximum*: with
acknowledgement after the commit, the number of events the broker lets us hold unacknowledged is the
largest batch one transaction can take (a broker's default of 20 would make every batch tiny).
"""

from __future__ import annotations

import ssl
import struct
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from django.conf import settings
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

RECEIVE_MAXIMUM = 10_000


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    username: str = ""
    password: str = ""
    tls_ca: str = ""

    @classmethod
    def from_settings(cls) -> Broker:
        return cls(host=settings.DOLBOM_MQTT_HOST, port=settings.DOLBOM_MQTT_PORT,
                   username=settings.DOLBOM_MQTT_USERNAME, password=settings.DOLBOM_MQTT_PASSWORD,
                   tls_ca=settings.DOLBOM_MQTT_TLS_CA)


READ_CHUNK = 64 * 1024
READ_BURST = 2000  # packets read per turn of paho's loop before it looks at writes and keep-alives again


class _BufferedSocket:
    """The broker's socket, read 64 KB at a time. paho reads each packet with two or three ``recv`` calls (the
    header byte, the length bytes, the rest), a system call each: at thousands of messages a second that was
    a good part of the worker's CPU. ``pending`` tells paho's loop that bytes are waiting here (it asks
    TLS sockets the same), so it reads them without waiting in ``select``."""

    __slots__ = ("_sock", "_data", "_pos")

    def __init__(self, sock) -> None:
        self._sock = sock
        self._data = b""
        self._pos = 0

    def recv(self, size: int) -> bytes:
        data, pos = self._data, self._pos
        if pos >= len(data):
            data = self._sock.recv(max(size, READ_CHUNK))  # BlockingIOError when nothing is there: paho's cue
            if not data:
                return data  # the broker closed the connection
            pos = 0
            self._data = data
        out = data[pos:pos + size]
        self._pos = pos + len(out)
        return out

    def pending(self) -> int:
        inner = self._sock.pending() if hasattr(self._sock, "pending") else 0
        return len(self._data) - self._pos + inner

    def __getattr__(self, name: str):
        return getattr(self._sock, name)  # send, fileno, close, setblocking, ...


class BatchClient(mqtt.Client):
    """paho's client for thousands of messages a second (the ingest worker, which acknowledges them by the
    batch; the simulator, which reads as many acknowledgements): the socket read in large chunks, as many packets read per turn of the loop as
    have arrived (paho reads one per turn, with a ``select`` each), and a batch's PUBACKs written as one
    buffer (``ack_many``). The packets on the wire are the same as paho's own."""

    def _create_socket(self):
        sock = super()._create_socket()
        return sock if self._transport == "websockets" else _BufferedSocket(sock)

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        for _ in range(READ_BURST):
            if self._sock is None:
                return mqtt.MQTTErrorCode.MQTT_ERR_NO_CONN
            rc = self._packet_read()
            if rc > 0:
                return self._loop_rc_handle(rc)
            if rc == mqtt.MQTTErrorCode.MQTT_ERR_AGAIN:
                break
        return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS

    def _handle_publish(self) -> mqtt.MQTTErrorCode:
        """A QoS 1 PUBLISH without MQTT 5 properties (what gateways send) decoded here: paho builds a
        Properties object for every message, walking its table of 27 names twice, which was the largest single
        cost of receiving one. Anything else is paho's."""
        packet, header = self._in_packet["packet"], self._in_packet["command"]
        if self._protocol == mqtt.MQTTv5 and header & 0x06 == 0x02 and len(packet) >= 5:
            at = 2 + ((packet[0] << 8) | packet[1])  # after the topic
            if at > 2 and len(packet) >= at + 3 and packet[at + 2] == 0:  # a topic, a packet id, no properties
                message = mqtt.MQTTMessage(mid=(packet[at] << 8) | packet[at + 1], topic=bytes(packet[2:at]))
                message.dup, message.qos, message.retain = bool(header & 0x08), 1, bool(header & 0x01)
                message.payload = bytes(packet[at + 3:])
                message.timestamp = time.monotonic()
                self._handle_on_message(message)
                return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS if self._manual_ack else self._send_puback(message.mid)
        return super()._handle_publish()

    # For publishers of pre-built packets (publish_packets): called with (packet id, reason code) for each
    # PUBACK of a message that was not published through paho's publish().
    on_raw_puback: Callable[[int, int], None] | None = None

    def publish_packets(self, blob: bytes) -> None:
        """QoS 1 PUBLISH packets built by ``publish_packet``, queued as one buffer (one write, one wake-up of
        paho's loop, where ``publish`` makes a message object, a queue entry and a wake-up per message). The
        caller owns their packet ids and learns of their PUBACKs through ``on_raw_puback``; paho neither
        tracks nor resends them."""
        if blob:
            self._packet_queue(PacketTypes.PUBLISH << 4, blob, 0, 1)  # qos 1: paho calls no on_publish for it

    def _handle_pubackcomp(self, cmd):
        hook, packet = self.on_raw_puback, self._in_packet["packet"]
        if hook is not None and cmd == "PUBACK" and len(packet) >= 2:
            mid = (packet[0] << 8) | packet[1]
            if mid not in self._out_messages:  # not one of paho's own
                hook(mid, packet[2] if len(packet) > 2 else 0)  # MQTT 5 leaves out the reason on success
                return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS
        return super()._handle_pubackcomp(cmd)

    def ack_many(self, mids: list[int]) -> None:
        """PUBACK (QoS 1) for each packet id, in one write: the bytes paho's ``ack`` sends one packet at a
        time (MQTT 5 allows the reason code and properties to be left out when the reason is success)."""
        if not mids:
            return
        blob = b"".join([_PUBACK.pack(0x40, 2, mid) for mid in mids])
        self._packet_queue(0x40, blob, 0, 0)


_PUBACK = struct.Struct("!BBH")


def publish_packet(topic: bytes, payload: bytes, mid: int) -> bytes:
    """A QoS 1 PUBLISH of MQTT 5 with no properties: the bytes paho's ``publish`` sends for it."""
    length = 2 + len(topic) + 2 + 1 + len(payload)
    head = bytearray([0x32])
    while True:  # the remaining length, 7 bits a byte
        byte, length = length & 0x7F, length >> 7
        head.append(byte | 0x80 if length else byte)
        if not length:
            break
    return b"".join((head, struct.pack("!H", len(topic)), topic, struct.pack("!HB", mid, 0), payload))


def client(broker: Broker, *, client_id: str = "", manual_ack: bool = False) -> mqtt.Client:
    c = BatchClient(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id or f"dolbom-{uuid.uuid4().hex[:12]}",
                    protocol=mqtt.MQTTv5, manual_ack=manual_ack)
    if broker.username:
        c.username_pw_set(broker.username, broker.password or None)
    if broker.tls_ca:
        c.tls_set(ca_certs=broker.tls_ca, tls_version=ssl.PROTOCOL_TLS_CLIENT)
    return c


def session_properties(*, expiry: int, receive_maximum: int = RECEIVE_MAXIMUM) -> Properties:
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = expiry
    props.ReceiveMaximum = receive_maximum
    return props


def reachable(broker: Broker, timeout: float = 1.0) -> bool:
    import socket

    try:
        with socket.create_connection((broker.host, broker.port), timeout=timeout):
            return True
    except OSError:
        return False
