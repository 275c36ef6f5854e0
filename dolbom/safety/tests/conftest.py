"""Safety fixtures: a centre with its emergency worker and team lead, and 김영숙's home in service with a
gateway and the six usual sensors."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dolbom.accounts.models import Role
from dolbom.safety import protocol, services
from dolbom.safety.models import Centre, Home
from dolbom.safety.services.rules import DAMPER
from dolbom.testing import personas

_seq = itertools.count(1)

DEVICES = [("activity", "A1", "거실"), ("activity", "A2", "침실"), ("door", "D1", "현관"), ("fire", "F1", "주방"),
           ("gas", "G1", "주방"), ("button", "B1", "")]


@pytest.fixture(autouse=True)
def _fresh_state():
    """Per-process state of the ingest (the flapping damper, the cached settings) starts empty each test."""
    from dolbom.safety.models import _SETTINGS_CACHE

    DAMPER.clear()
    _SETTINGS_CACHE.clear()
    yield
    DAMPER.clear()
    _SETTINGS_CACHE.clear()


@pytest.fixture
def centre(db) -> Centre:
    return Centre.objects.create(code="seosin", name="서신 응급안전안심센터", phone="063-000-0000")


@pytest.fixture
def worker(city, centre) -> User:
    """윤보라, emergency worker (응급관리요원) of the 서신 centre."""
    user = personas.make_staff("bora", "윤보라", Role.EMERGENCY_WORKER)
    services.responder_set(actor=city, user=user, centre=centre, phone="010-2000-0001")
    return user


@pytest.fixture
def lead(city, centre) -> User:
    """서지훈, team lead of the 서신 centre."""
    user = personas.make_staff("jihoon", "서지훈", Role.EMERGENCY_WORKER)
    services.responder_set(actor=city, user=user, centre=centre, is_lead=True, phone="010-2000-0002")
    return user


@pytest.fixture
def other_worker(city) -> User:
    """배준호, emergency worker of another centre."""
    other = Centre.objects.create(code="hyoja", name="효자 응급안전안심센터")
    user = personas.make_staff("junho", "배준호", Role.EMERGENCY_WORKER)
    services.responder_set(actor=city, user=user, centre=other)
    return user


def install(city: User, resident, centre: Centre, worker: User, prefix: str = "T") -> services.Installed:
    officer = User.objects.filter(staff__role=Role.DONG_OFFICER).first() or city
    home = services.waitlist_add(actor=officer, resident=resident, note="독거, 낙상 이력")
    specs = [services.DeviceSpec(kind=k, serial=f"{prefix}-{s}", component=str(i), location=loc)
             for i, (k, s, loc) in enumerate(DEVICES, 1)]
    return services.home_install(actor=city, home=home, centre=centre, worker=worker, gateway_serial=f"{prefix}-GW",
                                 devices=specs)


@pytest.fixture
def installed(city, officer, resident, centre, worker) -> services.Installed:
    return install(city, resident, centre, worker)


@pytest.fixture
def home(installed) -> Home:
    return installed.home


def payload(kind: str, *, gateway: str = "T-GW", device: str | None = None, at: dt.datetime | None = None,
            seq: int | None = None, event_id: str | None = None, **extra) -> dict:
    device_kind = {"activity": "activity", "no_activity": "activity", "door_open": "door", "door_close": "door",
                   "fire": "fire", "fire_cleared": "fire", "gas": "gas", "gas_cleared": "gas", "button": "button",
                   "button_cancelled": "button", "low_battery": "activity"}.get(kind, "gateway")
    if device is None and device_kind != "gateway":
        device = {"activity": "T-A1", "door": "T-D1", "fire": "T-F1", "gas": "T-G1", "button": "T-B1"}[device_kind]
    if device is not None and device_kind == "activity" and kind == "low_battery":
        device_kind = {"A": "activity", "D": "door", "F": "fire", "G": "gas", "B": "button"}[device.split("-")[-1][0]]
    n = next(_seq) if seq is None else seq
    body = protocol.event_json(controller=gateway, event_id=event_id or f"e{n}", seq=n, time=at or timezone.now(),
                               device=device, device_kind=device_kind, kind=kind)
    body.update(extra)
    return body


def ingest(*bodies: dict, transport: str = "direct", controller: str | None = None) -> services.IngestResult:
    items = [(b, json.dumps(b, ensure_ascii=False)) for b in bodies]
    parsed, refused = protocol.judge(items, now=timezone.now(), controller=controller)
    return services.events_ingest(parsed=parsed, refused=refused, transport=transport)


@pytest.fixture(scope="session")
def broker():
    """The MQTT broker of the machine (Mosquitto, 127.0.0.1:1883). Started if it is installed and not running;
    the test skips, saying why, only if there is no broker and none can be started."""
    import shutil
    import subprocess
    import time

    from dolbom.safety.mqtt import Broker, reachable

    found = Broker.from_settings()
    if not reachable(found):
        binary = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if shutil.os.path.exists("/usr/sbin/mosquitto")
                                                else None)
        if binary is None:
            pytest.skip(f"no MQTT broker at {found.host}:{found.port} and mosquitto is not installed")
        subprocess.run([binary, "-d", "-c", "/etc/mosquitto/mosquitto.conf"], check=False, capture_output=True)
        for _ in range(50):
            if reachable(found):
                break
            time.sleep(0.1)
        else:
            pytest.skip(f"no MQTT broker at {found.host}:{found.port} and mosquitto could not be started")
    return found
