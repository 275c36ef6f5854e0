from __future__ import annotations

import pytest
from django.utils import translation

from dolbom.integrations.messaging import (
    MessageError,
    MessageErrorCode,
    phone_display,
    phone_masked,
    phone_normalise,
)


@pytest.mark.parametrize("written", [
    "010-1234-5678", "01012345678", "010 1234 5678", "010.1234.5678", "(010) 1234-5678", " 010-1234-5678 ",
    "+82 10-1234-5678", "+82-10-1234-5678", "+82 (0)10 1234 5678", "+821012345678", "0082-10-1234-5678",
    "821012345678", "０１０－１２３４－５６７８",  # full-width, as a Korean IME types it
])
def test_every_common_way_of_writing_a_010_number_becomes_its_digits(written):
    assert phone_normalise(written) == "01012345678"


@pytest.mark.parametrize("written", [
    "", "010-1234-567", "010-1234-56789", "011-123-4567", "016-1234-5678", "063-281-2114", "070-1234-5678",
    "02-123-4567", "+1 010 1234 5678", "010-1234-567a", "1012345678", "8210123456", "전화번호",
])
def test_it_refuses_what_is_not_a_korean_mobile_number_with_a_coded_error(written):
    with pytest.raises(MessageError) as caught:
        phone_normalise(written)
    assert caught.value.code == MessageErrorCode.INVALID_PHONE
    assert caught.value.status_code == 400


def test_the_refusal_says_in_korean_how_to_write_the_number():
    with translation.override("ko"), pytest.raises(MessageError) as caught:
        phone_normalise("010-12")
    assert caught.value.message == "휴대전화 번호를 010-1234-5678 형식으로 입력하십시오."


def test_a_number_is_shown_with_dashes_and_logged_masked():
    assert phone_display("01012345678") == "010-1234-5678"
    assert phone_masked("01012345678") == "010-****-5678"
