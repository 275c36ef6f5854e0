"""The worker's paho client: its own decoding of a gateway's PUBLISH and its batched PUBACKs give what paho's
own code gives, packet for packet."""

from __future__ import annotations

import struct

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from dolbom.safety.mqtt import BatchClient


def _publish(topic: bytes, mid: int, payload: bytes, *, properties: bytes = b"\x00", dup: bool = False) -> tuple[int, bytes]:
    header = 0x30 | 0x02 | (0x08 if dup else 0)
    return header, struct.pack("!H", len(topic)) + topic + struct.pack("!H", mid) + properties + payload


def _received(c: mqtt.Client, header: int, packet: bytes) -> mqtt.MQTTMessage:
    got: list[mqtt.MQTTMessage] = []
    c.on_message = lambda client, userdata, message: got.append(message)
    c._in_packet["command"], c._in_packet["packet"] = header, packet
    assert c._handle_publish() == mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS
    (message,) = got
    return message


def _clients() -> tuple[mqtt.Client, mqtt.Client]:
    kw = {"protocol": mqtt.MQTTv5, "manual_ack": True}
    return BatchClient(mqtt.CallbackAPIVersion.VERSION2, **kw), mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, **kw)


def test_a_gateways_publish_is_decoded_as_paho_decodes_it():
    ours, paho = _clients()
    for header, packet in (_publish(b"dolbom/safety/v1/gw/B000001-GW/events", 517, '{"a":"거실"}'.encode()),
                           _publish(b"t/x", 65535, b"", dup=True)):
        a, b = _received(ours, header, packet), _received(paho, header, packet)
        assert (a.topic, a.mid, a.qos, a.dup, a.retain, a.payload) == (b.topic, b.mid, b.qos, b.dup, b.retain, b.payload)


def test_a_publish_with_properties_is_left_to_paho():
    props = Properties(PacketTypes.PUBLISH)
    props.MessageExpiryInterval = 60
    ours, _paho = _clients()
    header, packet = _publish(b"t/x", 9, b"body", properties=props.pack())
    message = _received(ours, header, packet)
    assert message.payload == b"body" and message.properties.MessageExpiryInterval == 60


def test_a_batch_is_acknowledged_with_the_bytes_of_one_ack_per_message():
    ours, paho = _clients()
    ours.ack_many([1, 300, 65535])
    for mid in (1, 300, 65535):
        paho.ack(mid, 1)
    assert b"".join(p["packet"] for p in ours._out_packet) == b"".join(p["packet"] for p in paho._out_packet)


def test_a_prebuilt_publish_is_the_packet_paho_sends():
    from dolbom.safety.mqtt import publish_packet

    paho = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    paho._sock = object()  # "connected": _send_publish queues the packet and writes nothing yet
    paho._sockpairW = None
    for topic, payload, mid in ((b"t/x", b"", 1), (b"dolbom/safety/v1/gw/B000001-GW/alarm", '{"a":"거실"}'.encode() * 20,
                                                    65535), (b"x", b"y" * 20000, 300)):
        paho._send_publish(mid, topic, payload, 1, False, False, None, None)
        assert bytes(paho._out_packet[-1]["packet"]) == publish_packet(topic, payload, mid)
    paho._sock = None


def test_pubacks_of_prebuilt_publishes_reach_the_raw_hook_and_pahos_own_stay_pahos():
    ours, _paho = _clients()
    seen: list[tuple[int, int]] = []
    ours.on_raw_puback = lambda mid, reason: seen.append((mid, reason))
    for packet in (struct.pack("!H", 7), struct.pack("!HB", 8, 0x10), struct.pack("!HBB", 9, 0x87, 0)):
        ours._in_packet["command"], ours._in_packet["packet"] = 0x40, packet
        assert ours._handle_pubackcomp("PUBACK") == mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS
    assert seen == [(7, 0), (8, 0x10), (9, 0x87)]
