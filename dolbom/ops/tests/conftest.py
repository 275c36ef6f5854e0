from __future__ import annotations

import base64
import json

import pytest

from dolbom.lib import keys as keys_lib
from dolbom.lib.rrn import KeyRing


@pytest.fixture
def key_file(settings, tmp_path):
    """The RRN keys come from a key file of this test's own (never the developer's var/keys.json), holding
    the keys the test database was written with; the four key settings are tracked so they are restored."""
    path = tmp_path / "keys" / "keys.json"
    encode = lambda k: base64.b64encode(k).decode()  # noqa: E731
    path.parent.mkdir()
    keys_lib.key_file_write(path, {"secret_key": settings.SECRET_KEY,
                                   "rrn_encryption_key": encode(settings.RRN_KEYS.current), "rrn_extra_keys": [],
                                   "rrn_index_key": encode(settings.RRN_INDEX_KEYS.current),
                                   "rrn_index_extra_keys": []})
    settings.DOLBOM_KEYS_FILE = str(path)
    settings.RRN_KEYS_FROM_ENV = False
    settings.RRN_KEYS = KeyRing(settings.RRN_KEYS.current)
    settings.RRN_INDEX_KEYS = KeyRing(settings.RRN_INDEX_KEYS.current)
    settings.RRN_ENCRYPTION_KEY = settings.RRN_KEYS.current
    settings.RRN_INDEX_KEY = settings.RRN_INDEX_KEYS.current
    return path


def read_keys(path) -> dict:
    return json.loads(path.read_text())
