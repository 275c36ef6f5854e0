from __future__ import annotations

from dolbom.cases.models import CitySettings


def test_the_city_team_sets_the_follow_up_intervals(login, city):
    c = login(city)
    assert "모니터링 주기" in c.get("/settings/follow-up/").content.decode()
    response = c.post("/settings/follow-up/", {"first_follow_up_days": 60, "follow_up_interval_days": 120}, follow=True)
    assert "모니터링 주기를 저장했습니다" in response.content.decode()
    row = CitySettings.current()
    assert (row.first_follow_up_days, row.follow_up_interval_days) == (60, 120)


def test_it_refuses_intervals_beyond_the_decree_and_changes_nothing(login, city):
    response = login(city).post("/settings/follow-up/", {"first_follow_up_days": 91, "follow_up_interval_days": 200})
    assert response.status_code == 400
    assert "첫 모니터링은 90일 이내" in response.content.decode()
    assert not CitySettings.objects.exists()


def test_other_roles_cannot_change_the_intervals(login, officer, auditor):
    for user in (officer, auditor):
        c = login(user)
        assert c.get("/settings/follow-up/").status_code == 403
        assert c.post("/settings/follow-up/", {"first_follow_up_days": 30,
                                               "follow_up_interval_days": 30}).status_code == 403
    assert not CitySettings.objects.exists()
