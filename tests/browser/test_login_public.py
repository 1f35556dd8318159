"""Each role logs in through the real login page and lands on its own home; the public page needs
no login and shows no person's name — on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

# what each role's home shows first (ids from duban/ui/templates/ui/*.html)
HOMES = {
    "office": "#status-cards",  # 督查室: 调度台
    "taskforce": "#status-cards",  # 专班办公室: 调度台 of its campaign
    "rep_a": "#due-list",  # 单位填报员: 本期待报
    "leader": ".red-item, #no-red",  # 领导: red items and 批示
    "public": "#public-campaigns",  # 公众: the public page
    "admin": "#status-cards",  # superuser: as the office
}


def test_each_role_lands_on_its_home(web, open_page, viewport):
    for username, marker in HOMES.items():
        page = login(open_page(viewport), web, username, viewport)
        expect(page).to_have_url(web.base + "/")
        expect(page.locator(marker).first).to_be_visible()
        shot(page, f"home-{username}", viewport)
        page.context.close()


def test_wrong_password_is_refused_in_chinese(web, open_page, viewport):
    page = open_page(viewport)
    page.goto(web.base + "/login/")
    page.fill("#id_username", "office")
    page.fill("#id_password", "not-the-password")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_contain_text("用户名或密码不正确")
    expect(page.locator("#logout")).to_have_count(0)


def test_anonymous_is_sent_to_login(web, open_page):
    page = open_page()
    for path in ("/", "/dashboard/", "/report/", "/plans/", f"/tasks/{web.pk('task')}/"):
        page.goto(web.base + path)
        expect(page.locator("#login-form")).to_be_visible()
        assert page.url.startswith(web.base + "/login/")


def person_names() -> set[str]:
    """Every person named in the plans (责任人, 责任领导, 召集人, 副召集人) and the accounts' names."""
    from django.contrib.auth import get_user_model

    from duban.plans.models import Task, TaskForce

    names = set()
    for persons, leaders in Task.objects.values_list("persons", "leaders"):
        names.update(persons or [])
        names.update(leaders or [])
    for convener, deputies in TaskForce.objects.values_list("convener", "deputy_conveners"):
        names.add(convener)
        names.update(deputies or [])
    for full, user in get_user_model().objects.values_list("first_name", "username"):
        names.update((full, user))
    return {n.strip() for n in names if n and len(n.strip()) >= 2}


def test_public_page_without_login_shows_no_person_names(web, open_page, viewport):
    from duban.plans.models import Campaign

    page = open_page(viewport)
    page.goto(web.base + "/public/")
    expect(page.locator("#public-campaigns")).to_be_visible()
    expect(page.locator("#public-targets")).to_be_visible()
    expect(page.locator("#logout")).to_have_count(0)
    text = page.inner_text("body")
    campaign = Campaign.objects.filter(plans__tasks__active=True).first()
    assert campaign.name in text
    names = person_names()
    assert "李领导" in names and len(names) > 10
    leaked = sorted(n for n in names if n in text)
    assert not leaked, f"公开页出现了人名：{leaked}"
    shot(page, "public", viewport)


@pytest.mark.parametrize("viewport", ["phone"])
def test_phone_menu_opens(web, open_page, viewport):
    page = login(open_page(viewport), web, "office", viewport)
    toggle = page.locator("label.nav-button")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(page.locator("#nav a").first).to_be_visible()
    shot(page, "menu-office", viewport)
