from __future__ import annotations

from django.test import Client

from dolbom.testing.personas import PASSWORD


def test_it_redirects_anonymous_visitors_to_the_login_page(db):
    for url in ["/", "/residents/", "/cases/", "/audit/access-log/", "/settings/follow-up/"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_it_logs_in_and_shows_the_name_and_role_in_korean(officer):
    c = Client()
    page = c.get("/login/")
    assert "로그인" in page.content.decode()
    response = c.post("/login/", {"username": "minji", "password": PASSWORD}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "김민지" in html
    assert "동 복지담당 공무원" in html
    assert "서신동" in html


def test_it_refuses_a_wrong_password_with_a_korean_message(officer):
    response = Client().post("/login/", {"username": "minji", "password": "wrong-password"})
    assert response.status_code == 200
    assert "사용자 ID 또는 비밀번호가 올바르지 않습니다" in response.content.decode()


def test_it_logs_out_with_a_post(login, officer):
    c = login(officer)
    response = c.post("/logout/")
    assert response.status_code == 302
    assert c.get("/").status_code == 302


def test_it_switches_the_language_to_english_and_back(login, officer):
    c = login(officer)
    assert "대시보드" in c.get("/").content.decode()
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get("/").content.decode()
    assert "Dashboard" in html and "대시보드" not in html
    c.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert "대시보드" in c.get("/").content.decode()


def test_pages_load_only_self_hosted_assets(login, officer):
    html = login(officer).get("/").content.decode()
    assert "/static/dolbom/htmx.min.js" in html
    assert "/static/dolbom/dolbom.css" in html
    assert "https://" not in html and "http://" not in html


def test_it_shows_korean_even_to_a_browser_set_to_english(login, officer):
    html = login(officer).get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "대시보드" in html and '<html lang="ko">' in html
