"""The director's dashboard and the teacher reports in real Chromium: charts drawn, each card leading
to its report, a teacher picked, the XLSX read back to the screen's numbers; a phone at 375 px by
taps; a teacher sees only his own report and no dashboard."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from bbbms_app.services import grading
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)  # two shared cores: a report may take a few seconds under load

SUMMARY = {
    "plan": "План боюнча саат",
    "plan_to_date": "Бүгүнкү күнгө план",
    "given": "Өтүлгөн сабактар",
    "by_others": "Алмаштыруучулар өткөргөн",
    "no_topic": "Темасыз сабактар",
    "no_homework": "Үй тапшырмасы жок сабактар",
    "few": "Баасы аз окуучулар",
    "late": "Кечиккен баалар",
}


def _shots() -> Path:
    out = Path(os.environ.get("BBBMS_SCREENSHOTS", "/tmp/bbbms-screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def _language(page: Page, label: str, title: str) -> None:
    page.get_by_test_id("lang-switch").get_by_role("radio", name=label).click()
    expect(page.get_by_test_id("page-title")).to_have_text(title)
    page.reload()
    expect(page.get_by_test_id("page-title")).to_have_text(title)


def _figure(text: str) -> float:
    return float(text.replace(",", "."))


def test_the_director_opens_the_dashboard_and_a_teacher_report(page: Page):
    sign_in(page, "director")
    page.goto("/dashboard")
    success = page.get_by_test_id("dash-card-success")
    expect(success.get_by_test_id("dash-value")).to_have_text(re.compile(r"^\d+,\d$"))
    expect(page.get_by_test_id("dash-period")).to_contain_text("1-чейрек")  # the last finished quarter
    # The charts are drawn: a bar per grade and rate, a bar per week.
    expect(page.get_by_test_id("dash-chart-grades").locator(".recharts-bar-rectangle").first).to_be_visible()
    # Grades 2–9 in quarter 1: grades 10–11 are assessed by half-year and have no quarter mark to count.
    by_quarter = [g for g in range(2, 12) if grading.assessment(g) == grading.QUARTER]
    assert len(by_quarter) == 8
    assert page.get_by_test_id("dash-chart-grades").locator(".recharts-bar-rectangle").count() >= 3 * len(by_quarter)
    expect(page.get_by_test_id("dash-chart-weeks").locator(".recharts-bar-rectangle").first).to_be_visible()
    page.screenshot(path=str(_shots() / "dashboard-1280-ky.png"), full_page=True)
    # The figure is the results report's: the school's row of quarter 1 says the same.
    shown = success.get_by_test_id("dash-value").inner_text()
    success.click()
    expect(page).to_have_url(re.compile("/reports$"))
    school = page.get_by_test_id("results-row").filter(
        has=page.locator("td.nm", has_text=re.compile("^Мектеп боюнча$"))
    )
    expect(school.locator('td[data-col="success"] .v')).to_have_text(shown)

    page.goto("/teacher-reports")
    expect(page.get_by_test_id("tsummary-row").first).to_be_visible()
    page.get_by_test_id("treports-period").click()
    page.get_by_role("option", name="1-чейрек", exact=True).click()
    expect(page.get_by_test_id("treports-upto")).to_contain_text("03.11.2026")
    rows = page.get_by_test_id("tsummary-row")
    assert rows.count() > 10  # every teacher of the school
    first = rows.first
    name = first.locator('td[data-col="teacher"]').inner_text()
    on_screen = {key: first.locator(f'td[data-col="{key}"]').inner_text() for key in SUMMARY}
    assert int(on_screen["plan"]) > 0 and int(on_screen["given"]) > 0
    page.screenshot(path=str(_shots() / "teacher-reports-all-1280-ky.png"), full_page=True)
    first.locator('td[data-col="teacher"] a').click()  # pick him
    expect(page.get_by_test_id("treports-teacher")).to_contain_text(name)
    expect(page.get_by_test_id("thours-row").first).to_be_visible()
    hours = page.get_by_test_id("thours-row")
    given = sum(int(t) for t in hours.locator('td[data-col="given"]').all_inner_texts())
    assert given == int(on_screen["given"])  # his rows add up to his summary
    page.screenshot(path=str(_shots() / "teacher-reports-one-1280-ky.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("treports-download").click()
    assert download.value.suggested_filename == "teachers-quarter1.xlsx"
    frame = pd.read_excel(download.value.path(), sheet_name="Жалпы").dropna(subset=["Мугалим"])
    assert list(frame["Мугалим"]) == [name]
    for key, header in SUMMARY.items():
        assert int(frame.iloc[0][header]) == int(on_screen[key]), key
    sheet = pd.read_excel(download.value.path(), sheet_name="Сааттар").dropna(subset=["Мугалим"])
    assert int(sheet["Өтүлгөн сабактар"].sum()) == given
    _language(page, "РУС", "Отчёт по учителям")
    expect(page.get_by_test_id("thours-row").first).to_be_visible()
    page.screenshot(path=str(_shots() / "teacher-reports-one-1280-ru.png"), full_page=True)
    page.goto("/dashboard")
    expect(page.get_by_test_id("dash-chart-trend")).to_contain_text("1-я четверть")  # the term in Russian
    expect(page.get_by_test_id("dash-card-success").get_by_test_id("dash-value")).to_have_text(shown)
    expect(page.get_by_test_id("dash-chart-grades").locator(".recharts-bar-rectangle").first).to_be_visible()
    page.screenshot(path=str(_shots() / "dashboard-1280-ru.png"), full_page=True)


def test_the_dashboard_and_the_teacher_report_on_a_phone(phone: Page):
    sign_in(phone, "deputy")
    phone.goto("/dashboard")
    expect(phone.get_by_test_id("dash-chart-grades").locator(".recharts-bar-rectangle").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1  # the charts fit the phone
    box = phone.get_by_test_id("dash-chart-grades").get_by_role("application").bounding_box()
    assert box is not None and 250 <= box["width"] <= 375
    phone.screenshot(path=str(_shots() / "dashboard-375-ky.png"), full_page=True)
    phone.get_by_test_id("dash-card-no_topic").tap()
    expect(phone).to_have_url(re.compile("/teacher-reports$"))
    expect(phone.get_by_test_id("tsummary-row").first).to_be_visible()
    phone.get_by_test_id("treports-teacher").tap()
    phone.get_by_role("option").nth(1).tap()  # the first teacher after «all»
    expect(phone.get_by_test_id("thours-row").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    phone.screenshot(path=str(_shots() / "teacher-reports-375-ky.png"), full_page=True)
    _language(phone, "РУС", "Отчёт по учителям")
    expect(phone.get_by_test_id("tsummary-row").first).to_be_visible()
    phone.screenshot(path=str(_shots() / "teacher-reports-375-ru.png"), full_page=True)
    phone.goto("/dashboard")
    expect(phone.get_by_test_id("dash-chart-weeks").locator(".recharts-bar-rectangle").first).to_be_visible()
    phone.screenshot(path=str(_shots() / "dashboard-375-ru.png"), full_page=True)


def test_a_teacher_sees_only_his_own_report_and_no_dashboard(page: Page):
    sign_in(page, "teacher")
    expect(page.get_by_test_id("nav-dashboard")).to_have_count(0)
    expect(page.get_by_test_id("nav-teacher-reports")).to_be_visible()
    page.get_by_test_id("nav-teacher-reports").click()
    expect(page.get_by_test_id("tsummary-row")).to_have_count(1)
    expect(page.get_by_test_id("treports-teacher")).to_have_count(0)  # no one else to pick
    expect(page.get_by_test_id("thours-row").first).to_be_visible()
    page.goto("/dashboard")
    expect(page.get_by_text(re.compile("укугуңуз жок")).first).to_be_visible()
    expect(page.get_by_test_id("dash-card-success")).to_have_count(0)
