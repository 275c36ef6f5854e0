"""MQTT connections (paho-mqtt, the Eclipse client: maintained, MQTT 3.1.1 and 5, manual acknowledgement).

The ingest worker connects with MQTT 5, a fixed client id, ``clean_start=False`` and a session expiry, so
that the broker keeps its subscription and every event not yet acknowledged while the worker is away (a
crash, a deploy) and sends them again when it is back. It asks for a large *receive maximum*: with
acknowledgement after the commit, the number of events the broker lets us hold unacknowledged is the
largest batch one transaction can take (a broker's default of 20 would make every batch tiny).
"""

from __future__ import annotations

import ssl
import uuid
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


def client(broker: Broker, *, client_id: str = "", manual_ack: bool = False) -> mqtt.Client:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id or f"dolbom-{uuid.uuid4().hex[:12]}",
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
