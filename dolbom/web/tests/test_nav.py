"""The header menu (web/nav.py): each app's entries for the user, the answer kept for a minute per user,
role and dong."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dolbom.accounts.models import Role
from dolbom.web.nav import nav_items_for


def _menu(c) -> str:
    page = c.get("/").content.decode()
    return page.split('id="site-nav"', 1)[1].split("</nav>", 1)[0]


def test_the_next_page_asks_no_app_again_who_sees_which_entry(login, officer):
    c = login(officer)
    with CaptureQueriesContext(connection) as first:
        menu = _menu(c)
    with CaptureQueriesContext(connection) as second:
        assert _menu(c) == menu
    assert len(second.captured_queries) < len(first.captured_queries)
    assert "/residents/" in menu and "/cases/" in menu


def test_a_changed_role_changes_the_menu_at_once(login, officer):
    c = login(officer)
    assert "/audit/" not in _menu(c)
    officer.staff.role = Role.AUDITOR
    officer.staff.dong = None
    officer.staff.save()
    menu = _menu(c)
    assert "/audit/" in menu and "/cases/" not in menu


def test_the_kept_answer_is_per_user(officer, auditor):
    officer_urls = [i["url"] for i in nav_items_for(officer)]
    auditor_urls = [i["url"] for i in nav_items_for(auditor)]
    assert "/cases/" in officer_urls and "/cases/" not in auditor_urls
    assert [i["url"] for i in nav_items_for(officer)] == officer_urls
