"""The naive baseline of bench/safety.py: what a first attempt at the ingest looks like, run by the harness as
its own process (``safety_baseline.py CLIENT_ID PREFIX PORT CAUTION_SECONDS``) in place of ``dolbom safety
ingest``, over the same broker and stream."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

sys.path.insert(0, str(Path(__file__).resolve().parent))
from safety_city import _django  # noqa: E402 - the paths above first


def naive(client_id: str, prefix: str, port: int, caution_seconds: float) -> None:
    """The baseline: what a first attempt looks like. Acknowledges on receipt (paho's default), one
    transaction per event, no natural key, open incidents and inactivity timers in memory."""
    _django()
    import datetime as dt

    import paho.mqtt.client as mqtt
    from django.db import connection, transaction

    pk = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS naive_event (id {pk}, controller TEXT, event_id TEXT, seq BIGINT, "
                    "kind TEXT, occurred_at TEXT, received_at DOUBLE PRECISION, raw TEXT)")
        cur.execute(f"CREATE TABLE IF NOT EXISTS naive_incident (id {pk}, controller TEXT, cause TEXT, "
                    "event_at DOUBLE PRECISION, opened_at DOUBLE PRECISION)")
    open_: set[tuple[str, str]] = set()
    timers: dict[str, float] = {}
    fired: set[str] = set()
    lock = threading.Lock()

    def incident(controller: str, cause: str, event_at: float) -> None:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("INSERT INTO naive_incident (controller, cause, event_at, opened_at) VALUES (%s, %s, %s, %s)",
                        [controller, cause, event_at, time.time()])

    def on_message(c, userdata, msg) -> None:
        try:
            e = json.loads(msg.payload)
            kind = {100: "activity", 110: "door_open", 111: "door_close", 200: "fire", 210: "gas",
                    300: "button"}.get(e["status_code"], "other")
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("INSERT INTO naive_event (controller, event_id, seq, kind, occurred_at, received_at, raw) "
                            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                            [e["controller"], e["event_id"], e["seq"], kind, e["time"], time.time(), msg.payload.decode()])
            at = dt.datetime.fromisoformat(e["time"]).timestamp()
            if kind in ("fire", "gas", "button") and (e["controller"], kind) not in open_:
                open_.add((e["controller"], kind))
                incident(e["controller"], kind, at)
            elif kind in ("activity", "door_open", "door_close"):
                with lock:
                    timers[e["controller"]] = at + caution_seconds
        except Exception:  # noqa: BLE001 - the naive way: log and move on (the event is gone)
            connection.close()

    def tick() -> None:
        while True:
            time.sleep(1)
            now = time.time()
            with lock:
                due = [c for c, t in timers.items() if t <= now and c not in fired]
            for controller in due:
                try:
                    incident(controller, "inactivity", timers[controller])
                    fired.add(controller)
                except Exception:  # noqa: BLE001
                    connection.close()

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311, clean_session=True)
    c.on_message = on_message
    c.on_connect = lambda c, u, f, rc, p: c.subscribe(f"{prefix}/+/+", qos=1)  # both topics, one session
    c.on_subscribe = lambda *a: print("구독 완료 (subscribed)", flush=True)
    c.connect("127.0.0.1", port)
    threading.Thread(target=tick, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: (c.disconnect(), sys.exit(0)))
    c.loop_forever()



if __name__ == "__main__":
    naive(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
