"""Findings: X-Forwarded-For was trusted from anyone, so the logged address could be forged; full RRNs sat in
the access log's path and in the server's request log.

The access log's "from where" (안전성 확보조치 기준 §8) believes X-Forwarded-For only from the reverse
proxies in DOLBOM_TRUSTED_PROXIES, and every RRN-shaped number in a logged path, a purpose or a server log
line is masked.
"""

from __future__ import annotations

import logging

import pytest
from django.test import RequestFactory

from dolbom.audit.models import AccessAction, AccessLog
from dolbom.lib.access import RRN_MASK, AccessContext, client_ip, mask_rrns
from dolbom.lib.logs import MaskRRNs
from dolbom.testing.api import ApiClient

RRN = "480302-2000001"


def _request(remote: str, forwarded: str = ""):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/x", REMOTE_ADDR=remote, **extra)


def test_a_forwarded_address_from_an_untrusted_client_is_ignored(settings):
    settings.DOLBOM_TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.9", "10.9.9.9")) == "203.0.113.9"
    settings.DOLBOM_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(_request("203.0.113.9", "10.9.9.9")) == "203.0.113.9"


def test_behind_trusted_proxies_the_client_is_the_right_most_untrusted_hop(settings):
    settings.DOLBOM_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # The client forged the first entry; nginx (127.0.0.1) appended the address it saw, a load balancer
    # in 10/8 passed it on.
    assert client_ip(_request("127.0.0.1", "1.1.1.1, 198.51.100.7, 10.2.3.4")) == "198.51.100.7"
    assert client_ip(_request("127.0.0.1", "10.2.3.4")) == "127.0.0.1"  # only proxies: the nearest one
    assert client_ip(_request("127.0.0.1", "not-an-address")) == "127.0.0.1"
    assert client_ip(_request("127.0.0.1", "198.51.100.7, garbage, 10.2.3.4")) == "127.0.0.1"
    assert client_ip(_request("::1", "2001:db8::5")) == "::1"


def test_the_access_log_keeps_the_real_address_of_a_forged_header(officer, resident):
    r = ApiClient(officer, REMOTE_ADDR="203.0.113.9").get(
        f"/api/residents/{resident.pk}", {"purpose": "정기 점검"}, **{"X-Forwarded-For": "10.1.1.1"})
    assert r.status_code == 200
    assert AccessLog.objects.get(action=AccessAction.VIEW).ip == "203.0.113.9"


def test_a_malformed_remote_address_is_logged_as_unknown_not_a_server_error(officer, resident):
    r = ApiClient(officer, REMOTE_ADDR="not-an-ip").get(f"/api/residents/{resident.pk}", {"purpose": "정기 점검"})
    assert r.status_code == 200 and AccessLog.objects.get().ip is None


@pytest.mark.parametrize("text", [RRN, "4803022000001", "480302%2D2000001", "480302+2000001", "480302 2000001"])
def test_every_rrn_shaped_number_is_masked(text):
    masked = mask_rrns(f"/residents/?q={text}&page=2")
    assert masked == f"/residents/?q={RRN_MASK}&page=2"


def test_other_numbers_are_left_alone():
    for text in ("010-1234-5678", "H-T0000012", "2026-01-05", "12345678901234", "/cases/480302/"):
        assert mask_rrns(text) == text


def test_the_logged_path_and_purpose_are_masked():
    request = RequestFactory().get("/residents/", {"q": RRN}, REMOTE_ADDR="127.0.0.1")
    context = AccessContext.from_request(request, purpose=f"주민번호 {RRN} 확인")
    assert RRN not in context.path and "2000001" not in context.path
    assert context.purpose == f"주민번호 {RRN_MASK} 확인"


def test_the_server_request_log_is_masked(caplog):
    logger = logging.getLogger("django.server")
    handler = next(h for h in logger.handlers if any(isinstance(f, MaskRRNs) for f in h.filters))
    record = logger.makeRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               (f"GET /api/residents?q={RRN} HTTP/1.1", "200", "12"), None)
    assert all(f.filter(record) for f in handler.filters)
    assert RRN not in record.getMessage() and RRN_MASK in record.getMessage()


def test_an_exception_quoting_a_number_is_masked_in_the_log():
    try:
        raise ValueError(f"bad value {RRN}")
    except ValueError:
        import sys

        record = logging.getLogger("dolbom").makeRecord("dolbom", logging.ERROR, __file__, 1, "failed", (),
                                                        sys.exc_info())
    MaskRRNs().filter(record)
    assert RRN not in record.exc_text and RRN_MASK in record.exc_text
