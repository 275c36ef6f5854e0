from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from dolbom.lib import rrn
from dolbom.testing.personas import make_rrn


def test_it_accepts_a_number_with_a_correct_check_digit_and_derives_birth_and_sex():
    value = make_rrn(dt.date(1950, 1, 1), "M", serial=12345)
    parsed = rrn.parse(value)
    assert parsed.birth_date == dt.date(1950, 1, 1)
    assert parsed.sex == "M"
    assert parsed.masked == "500101-1******"


@pytest.mark.parametrize("value, reason", [
    ("5001011234", "format"),
    ("991231-3234567", "birth_date"),  # 2099: in the future
    ("501301-1234567", "birth_date"),
])
def test_it_refuses_malformed_numbers(value, reason):
    with pytest.raises(rrn.InvalidRRN) as exc:
        rrn.parse(value)
    assert str(exc.value) == reason


def test_it_refuses_a_pre_2020_number_with_a_wrong_check_digit():
    good = make_rrn(dt.date(1948, 3, 2), "F", serial=4321)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(rrn.InvalidRRN, match="checksum"):
        rrn.parse(bad)


def test_it_accepts_a_post_reform_number_without_a_check_digit():
    # Numbers issued since 2020-10 carry random trailing digits; a strict checksum would refuse real babies.
    first12 = "2101013123456"[:12]
    wrong = str((int(rrn.check_digit(first12)) + 1) % 10)
    assert rrn.parse(first12 + wrong).birth_date == dt.date(2021, 1, 1)


def test_encryption_round_trips_and_never_stores_the_plain_number():
    token = rrn.encrypt("4803022123456", settings.RRN_ENCRYPTION_KEY)
    assert "4803022123456" not in token
    assert rrn.decrypt(token, settings.RRN_ENCRYPTION_KEY) == "4803022123456"
    assert rrn.encrypt("4803022123456", settings.RRN_ENCRYPTION_KEY) != token  # random nonce


def test_the_blind_index_is_stable_and_keyed():
    a = rrn.blind_index("4803022123456", settings.RRN_INDEX_KEY)
    assert a == rrn.blind_index("4803022123456", settings.RRN_INDEX_KEY)
    assert a != rrn.blind_index("4803022123456", b"x" * 32)
