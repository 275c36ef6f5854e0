"""The public pages: sign up with a one-time code, see and cancel one's own sign-up; no one's name shown."""

from __future__ import annotations

import re

from django.test import Client, TestCase

from dolbom.programmes.models import Signup, SignupStatus

from .conftest import code_for, new_phone, public_signup


def _post(client: Client, url: str, data: dict):
    """A POST whose texts go out as after a real commit (the test's transaction never commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data)


def _sign_up(client: Client, session, outbox, *, name: str, phone: str, party: int = 1):
    form = _post(client, f"/programmes/p/sessions/{session.pk}/", {"name": name, "phone": phone,
                                                                    "party_size": party, "privacy": "on"})
    assert form.status_code == 302, form.content.decode()[:500]
    verify_url = form["Location"]
    page = client.get(verify_url)
    assert "010-****-" in page.content.decode()
    done = _post(client, verify_url, {"code": code_for(outbox, phone)})
    assert done.status_code == 302
    return client.get(done["Location"])


def test_a_resident_signs_up_with_a_code_and_sees_a_confirmation_without_any_name(session, message_outbox):
    client = Client()
    page = _sign_up(client, session, message_outbox, name="홍길동", phone=new_phone(), party=3)
    html = page.content.decode()
    signup = Signup.objects.get()
    assert page.status_code == 200 and "신청이 확정되었습니다" in html and signup.checkin_code in html
    assert "홍길동" not in html
    link = re.search(r"(http\S+/programmes/p/s/\S+/)", message_outbox[-1].text).group(1)
    assert link.endswith(page.request["PATH_INFO"])


def test_public_pages_show_places_and_waiting_lists_but_no_names(session, message_outbox):
    for n in range(11):
        public_signup(session, message_outbox, name=f"김가족{n}")
    client = Client()
    for url in ("/programmes/p/", f"/programmes/p/{session.programme_id}/", f"/programmes/p/sessions/{session.pk}/"):
        html = client.get(url).content.decode()
        assert "김가족" not in html, url
    html = client.get(f"/programmes/p/{session.programme_id}/").content.decode()
    assert "마감 · 대기 1" in html and "대기 신청" in html


def test_the_waiting_family_accepts_the_freed_place_from_its_link(session, message_outbox):
    rows = [public_signup(session, message_outbox) for _ in range(10)]
    waiting, token = public_signup(session, message_outbox)
    client = Client()
    assert "대기 1번" in client.get(f"/programmes/p/s/{token}/").content.decode()
    assert client.post(f"/programmes/p/s/{rows[0][1]}/cancel/").status_code == 302
    page = client.get(f"/programmes/p/s/{token}/").content.decode()
    assert "자리가 났습니다" in page and 'data-testid="accept"' in page
    page = client.post(f"/programmes/p/s/{token}/accept/", follow=True).content.decode()
    assert "신청이 확정되었습니다" in page
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.CONFIRMED


def test_a_wrong_code_is_shown_as_a_korean_error_and_signs_nobody_up(session, message_outbox):
    client = Client()
    phone = new_phone()
    form = _post(client, f"/programmes/p/sessions/{session.pk}/", {"name": "가", "phone": phone, "party_size": 1,
                                                                    "privacy": "on"})
    right = code_for(message_outbox, phone)
    page = client.post(form["Location"], {"code": f"{(int(right) + 1) % 10**6:06d}"})
    assert page.status_code == 400 and "인증번호가 맞지 않습니다. 4번 더" in page.content.decode()
    assert not Signup.objects.exists()


def test_the_form_refuses_without_the_privacy_consent_and_a_bad_phone(session):
    client = Client()
    page = client.post(f"/programmes/p/sessions/{session.pk}/", {"name": "가", "phone": new_phone(), "party_size": 1})
    assert page.status_code == 400 and "수집·이용에 동의" in page.content.decode()
    page = client.post(f"/programmes/p/sessions/{session.pk}/", {"name": "가", "phone": "02-123-4567",
                                                                  "party_size": 1, "privacy": "on"})
    assert page.status_code == 400 and "010-1234-5678" in page.content.decode()


def test_a_macro_from_one_address_is_rate_limited(session):
    client = Client(REMOTE_ADDR="203.0.113.50")
    statuses = [client.post(f"/programmes/p/sessions/{session.pk}/", {"name": "봇", "phone": new_phone(),
                                                                       "party_size": 1, "privacy": "on"}).status_code
                for _ in range(25)]
    assert statuses[:20] == [302] * 20 and set(statuses[20:]) == {400}
    last = client.post(f"/programmes/p/sessions/{session.pk}/", {"name": "봇", "phone": new_phone(), "party_size": 1,
                                                                  "privacy": "on"})
    assert "신청이 너무 많습니다" in last.content.decode()


def test_an_unknown_link_is_not_found(db):
    page = Client().get("/programmes/p/s/not-a-token/")
    assert page.status_code == 404 and "유효하지 않습니다" in page.content.decode()


def test_the_lottery_page_publishes_the_commitment(city, message_outbox):
    from dolbom.programmes.models import Allocation

    from .conftest import make_programme, open_session

    session = open_session(make_programme(city, allocation=Allocation.LOTTERY))
    html = Client().get(f"/programmes/p/sessions/{session.pk}/lottery/").content.decode()
    assert session.seed_commitment in html and session.lottery_seed not in html


def test_a_consultation_is_booked_moved_and_cancelled_by_its_link(city, adviser, message_outbox):
    import datetime as dt

    from django.utils import timezone

    from dolbom.programmes import services

    a = services.slot_add(actor=city, adviser=adviser, starts_at=timezone.now() + dt.timedelta(days=5), minutes=30)
    b = services.slot_add(actor=city, adviser=adviser, starts_at=timezone.now() + dt.timedelta(days=6), minutes=30)
    client = Client()
    assert f'data-slot="{a.pk}"' in client.get("/programmes/p/consult/?kind=tax").content.decode()
    phone = new_phone()
    form = _post(client, f"/programmes/p/consult/slots/{a.pk}/", {"name": "최민수", "phone": phone,
                                                                  "topic": "양도세", "privacy": "on"})
    done = _post(client, form["Location"], {"code": code_for(message_outbox, phone)})
    page = client.get(done["Location"]).content.decode()
    assert "예약됨" in page and "최민수" not in page
    token = done["Location"].split("/p/b/")[1].split("/")[0]
    assert client.post(f"/programmes/p/b/{token}/move/", {"slot": b.pk}).status_code == 302
    assert "예약 시간이 변경되었습니다" in client.get(f"/programmes/p/b/{token}/").content.decode()
    client.post(f"/programmes/p/b/{token}/cancel/")
    assert "취소" in client.get(f"/programmes/p/b/{token}/").content.decode()
