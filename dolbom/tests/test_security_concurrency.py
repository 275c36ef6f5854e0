"""Twenty people pressing the same button at once, from outside: a real server, one connection each.

On SQLite (the embedded default) a deferred transaction that reads and then writes cannot wait for the
lock another writer holds: SQLite answers "database is locked" at once, and the API answered 500 with an
HTML page. Immediate transactions and a busy timeout (settings.DATABASES) make the losers queue, see the
row already moved, and get the service's own coded refusal. On PostgreSQL the rows serialise on the
``select_for_update`` of ``lock_in_scope``. Either way exactly one request wins and the timeline has one
entry.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.utils import timezone

from dolbom.accounts.models import StaffProfile
from dolbom.accounts.services import api_token_create
from dolbom.cases.models import Case, CaseEvent, CaseStatus
from dolbom.meetings import services as meetings
from dolbom.meetings.models import Meeting, MeetingStatus
from dolbom.referrals.models import Institution, InstitutionKind, Referral, ReferralStatus, Service
from dolbom.referrals.services import referral_create
from dolbom.registry.models import ConsentPurpose
from dolbom.registry.services import consent_record
from dolbom.testing import personas

PARALLEL = 20

pytestmark = pytest.mark.django_db(transaction=True)


def _post_all(url: str, token: str, body: dict) -> list[tuple[int, str, dict | None]]:
    """POST the same body from PARALLEL threads released together; (status, content type, JSON or None)."""
    start = threading.Barrier(PARALLEL)
    answers: list[tuple[int, str, dict | None]] = []
    lock = threading.Lock()

    def one() -> None:
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                status, ctype, raw = r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, raw = e.code, e.headers.get("Content-Type", ""), e.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        with lock:
            answers.append((status, ctype, parsed))

    threads = [threading.Thread(target=one) for _ in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return answers


def _one_winner(answers: list[tuple[int, str, dict | None]], won: int, lost: int) -> Counter:
    assert len(answers) == PARALLEL
    # Every answer is JSON with a stable code, the losers' included: never an HTML 500 page.
    assert all(ctype.startswith("application/json") and body is not None for _s, ctype, body in answers), answers
    statuses = Counter(s for s, _c, _b in answers)
    assert statuses == Counter({won: 1, lost: PARALLEL - 1}), answers
    return Counter(b["code"] for s, _c, b in answers if s == lost)


def test_twenty_closures_of_one_case_give_one_winner_and_nineteen_coded_refusals(live_server, officer, city):
    case = personas.open_case(officer, personas.make_resident(officer))
    token = api_token_create(user=city, name="concurrency")
    answers = _post_all(f"{live_server.url}/api/cases/{case.pk}/close?purpose=%EB%8F%99%EC%8B%9C%EC%84%B1", token,
                        {"reason": "refusal", "note": "본인 거부"})
    codes = _one_winner(answers, 200, 400)
    assert set(codes) == {"case_closed"}
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    assert CaseEvent.objects.filter(case=case, type="closed").count() == 1


def test_twenty_acceptances_of_one_referral_give_one_winner(live_server, officer, manager, partner):
    resident = personas.make_resident(officer)
    case = personas.open_case(officer, resident, manager=manager)
    for step in (personas.survey, personas.decide, personas.plan):
        step(officer, case)
    inst = Institution.objects.create(code="JJ-HN-001", name="전주 방문간호센터",
                                      kind=InstitutionKind.HOME_NURSING_AGENCY)
    service = Service.objects.create(institution=inst, code="SV-1", name="방문간호", category_code="A02", citywide=True)
    StaffProfile.objects.filter(user=partner).update(institution_code=inst.code)
    consent_record(actor=officer, resident=resident, purpose=ConsentPurpose.INFORMATION_SHARING,
                   recipient=inst.name, recipient_code=inst.code)
    referral = referral_create(actor=manager, case=case, service=service)
    token = api_token_create(user=partner, name="concurrency")
    answers = _post_all(f"{live_server.url}/api/referrals/{referral.pk}/accept", token, {})
    codes = _one_winner(answers, 200, 400)
    assert len(codes) == 1
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ACCEPTED
    assert CaseEvent.objects.filter(case=case, type="referral_accepted").count() == 1


def test_twenty_signatures_of_one_meeting_give_one_winner(live_server, officer):
    meeting = meetings.meeting_schedule(
        actor=officer, title="서신동 통합지원회의", scheduled_at=timezone.now() + dt.timedelta(days=1),
        place="서신동 행정복지센터", chair=officer, dong=officer.staff.dong)
    meetings.minutes_write(actor=officer, meeting=meeting, minutes="안건 없음")
    token = api_token_create(user=officer, name="concurrency")
    answers = _post_all(f"{live_server.url}/api/meetings/{meeting.pk}/minutes/sign", token, {})
    codes = _one_winner(answers, 200, 400)
    assert set(codes) == {"meeting_signed"}
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SIGNED
