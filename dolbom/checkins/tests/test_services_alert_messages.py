"""A high check-in alert reaches the case manager by text message once the call's transaction is committed;
one call is one alert, whatever else the client said."""

from __future__ import annotations

from dolbom.checkins import services
from dolbom.checkins.models import Alert, AlertKind
from dolbom.web.services import notification_settings_update

from .conftest import play


def test_a_high_alert_is_texted_to_the_case_manager_after_the_commit(manager, enrolment, message_outbox,
                                                                     django_capture_on_commit_callbacks):
    notification_settings_update(actor=manager, mute_sound=False, alert_phone="010 9876 5432")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        play(manager, enrolment, ["네", "어제 넘어졌는데 못 일어나겠어요"])
    assert message_outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(message_outbox) == 1
    sent = message_outbox[0]
    assert sent.to == "01098765432" and sent.purpose == "alert"
    assert enrolment.case.number in sent.text and "김*숙" in sent.text and "김영숙" not in sent.text


def test_a_medium_alert_and_a_manager_without_a_number_get_no_message(manager, enrolment, message_outbox,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call, _ = play(manager, enrolment, ["네", "어제 넘어졌는데 못 일어나겠어요"])
        services.call_hang_up(actor=manager, call=call)  # the safety script never hangs up by itself
    assert Alert.objects.filter(severity="high").exists() and message_outbox == []
    notification_settings_update(actor=manager, mute_sound=False, alert_phone="010-9876-5432")
    enrolment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        second = services.call_now(actor=manager, enrolment=enrolment)
        services.call_start(actor=manager, call=second)
        services.call_reply(actor=manager, call=second, text="무릎이 아파요")
        services.call_hang_up(actor=manager, call=second)
    assert Alert.objects.filter(call=second).get().severity == "medium"
    assert message_outbox == []


def test_one_call_raises_one_alert_listing_every_signal(manager, enrolment):
    call, _ = play(manager, enrolment, ["네", "무릎이 아파요", "밥을 못 먹어요", "잠을 못 자요"])
    if call.status == "in_progress":
        services.call_hang_up(actor=manager, call=call)
    alert = Alert.objects.get(call=call)
    assert alert.kind == AlertKind.HEALTH
    first_line = alert.excerpt.splitlines()[0]
    for label in ("건강", "식사", "수면"):
        assert label in first_line
