"""A test taken on a 375 px phone with taps through a dropped connection and a reload: the answers
given offline are kept in the browser (assets/quiz_answers.js), survive the page being reloaded while
offline, go to the server when it is back (audited «offline … given …») and are all there at the
hand-in. The countdown hands a second attempt in by itself when the server's time is up. The pupil's
parent then reads the result on /tests; the teacher edits a bank question (a new version)."""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from sqlalchemy import update
from sqlmodel import Session, col, or_, select

from bbbms_app import db
from bbbms_app.demo import DEMO_PASSWORD
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent, Enrollment, Subject, User
from bbbms_app.models.academics import TeachingAssignment
from bbbms_app.models.quiz import QuizAttempt, QuizQuestion
from bbbms_app.services import accounts
from bbbms_app.services import quiz as svc
from bbbms_app.services.quiz import QuestionDraft, QuizDraft
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
TITLE = "Офлайн: кыска тест"


def _shots() -> Path:
    path = Path(os.environ.get("BBBMS_SCREENSHOT_DIR") or "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Setup:
    quiz_id: int
    pupil_id: int
    question_ids: list[int]
    subject: str


def _setup(url: str) -> Setup:
    """The demo director gives the demo pupil's class a 30-minute test of three questions, two attempts."""
    eng = db.make_engine(url)
    try:
        with Session(eng) as s:
            director = accounts.principal_for(s.exec(select(User).where(User.username == "director")).one(), session=s)
            pupil_id = s.exec(select(User.pupil_id).where(User.username == "pupil")).one()
            today = date.today()
            class_id = s.exec(
                select(Enrollment.class_id).where(
                    Enrollment.pupil_id == pupil_id,
                    Enrollment.starts_on <= today,
                    or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
                )
            ).one()
            subject = s.exec(
                select(TeachingAssignment.subject_id)
                .where(TeachingAssignment.class_id == class_id, col(TeachingAssignment.deleted_at).is_(None))
                .order_by(TeachingAssignment.id)
            ).first()

            def opts(*texts: str) -> list[dict[str, str]]:
                return [{"ky": x} for x in texts]

            drafts = [
                QuestionDraft(subject, "single", "Офлайн 5 × 3", "", "Офлайн", opts("8", "15", "53"), [1], 2),
                QuestionDraft(subject, "multi", "Офлайн жуп сандар", "", "Офлайн", opts("2", "7", "10"), [0, 2], 2),
                QuestionDraft(subject, "text", "Офлайн борбор шаар", "", "Офлайн", key=["Бишкек"]),
            ]
            ids = [svc.add_question(s, director, d) for d in drafts]
            now = datetime.now(UTC)
            quiz_id = svc.create_quiz(
                s,
                director,
                QuizDraft(
                    subject_id=subject,  # type: ignore[arg-type]
                    title=TITLE,
                    classes={class_id: None},
                    opens_at=now - timedelta(minutes=5),
                    closes_at=now + timedelta(days=1),
                    question_ids=ids,
                    time_limit_min=30,
                    attempts_allowed=2,
                ),
            )
            s.commit()
            name = s.get(Subject, subject).name_ky  # type: ignore[union-attr]
            return Setup(quiz_id, pupil_id, ids, name)  # type: ignore[arg-type]
    finally:
        eng.dispose()


def _card(phone: Page, text: str):
    return phone.get_by_test_id("quiz-question").filter(has_text=text)


def _option(phone: Page, question: str, option: str):
    return _card(phone, question).get_by_test_id("quiz-option").filter(has_text=re.compile(rf"^{option}$"))


def _saved_answers(url: str, attempt_number: int, quiz_id: int) -> dict[int, str]:
    with Session(db.engine(url)) as s:
        attempt = s.exec(
            select(QuizAttempt).where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.number == attempt_number)
        ).one()
        return {qid: a.response_json for qid, a in svc._answers(s, attempt.id).items()}  # type: ignore[arg-type]


def test_answers_given_offline_survive_a_reload_and_are_all_there_at_the_hand_in(
    phone: Page, page: Page, browser_db_url
):
    shots = _shots()
    setup = _setup(browser_db_url)
    single, multi, text = setup.question_ids

    phone.goto("/login")
    phone.locator("#username").tap()
    phone.locator("#username").fill("pupil")
    phone.locator("#password").tap()
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_test_id("login-submit").tap()
    expect(phone.get_by_test_id("page-title")).to_be_visible()
    phone.goto("/tests")
    phone.get_by_test_id("quiz-card").filter(has_text=TITLE).get_by_test_id("quiz-start").tap()
    expect(phone.get_by_test_id("quiz-question")).to_have_count(3)
    # The countdown runs (about 30 minutes on the server's clock).
    expect(phone.get_by_test_id("quiz-clock")).to_have_text(re.compile(r"^(29|30):\d\d$"))

    # Online: the single choice, saved on the server at once.
    _option(phone, "Офлайн 5 × 3", "15").tap()
    expect(_option(phone, "Офлайн 5 × 3", "15")).to_have_attribute("data-on", "1")
    expect(_card(phone, "Офлайн 5 × 3").get_by_test_id("quiz-saved")).to_be_visible()

    # The connection drops; he answers on: two options of the multiple choice, the short answer.
    phone.context.set_offline(True)
    _option(phone, "Офлайн жуп сандар", "2").tap()
    _option(phone, "Офлайн жуп сандар", "10").tap()
    field = _card(phone, "Офлайн борбор шаар").get_by_test_id("quiz-typed")
    field.tap()
    field.fill("Бишкек")
    phone.get_by_test_id("page-title").tap()  # the field loses focus: its answer is kept too
    expect(_option(phone, "Офлайн жуп сандар", "10")).to_have_attribute("data-local", "1")  # shown as chosen
    expect(_option(phone, "Офлайн жуп сандар", "7")).to_have_attribute("data-local", "0")
    expect(_card(phone, "Офлайн жуп сандар").get_by_test_id("quiz-kept")).to_be_visible()
    expect(_card(phone, "Офлайн борбор шаар").get_by_test_id("quiz-kept")).to_be_visible()
    expect(phone.get_by_test_id("quiz-outbox")).to_have_attribute("data-count", "2")
    phone.screenshot(path=str(shots / "quiz-offline-375-ky.png"), full_page=True)
    assert set(_saved_answers(browser_db_url, 1, setup.quiz_id)) == {single}  # nothing else reached it

    # He reloads while still offline: the page cannot load, the answers stay in the phone.
    with contextlib.suppress(PlaywrightError):  # the browser's own «no internet» page
        phone.reload()
    expect(phone.get_by_test_id("quiz-question")).to_have_count(0)
    phone.context.set_offline(False)
    phone.goto("/tests")  # the connection is back: the running attempt opens, the kept answers go
    expect(phone.get_by_test_id("quiz-question")).to_have_count(3)
    for option in ("2", "10"):
        expect(_option(phone, "Офлайн жуп сандар", option)).to_have_attribute("data-on", "1")
    expect(_option(phone, "Офлайн жуп сандар", "7")).to_have_attribute("data-on", "")
    expect(_card(phone, "Офлайн борбор шаар").get_by_test_id("quiz-typed")).to_have_value("Бишкек")
    expect(phone.get_by_test_id("quiz-outbox")).not_to_have_attribute("data-count", re.compile(".*"))
    saved = _saved_answers(browser_db_url, 1, setup.quiz_id)
    assert set(saved) == {single, multi, text} and saved[text] == '"Бишкек"'
    with Session(db.engine(browser_db_url)) as s:
        attempt_id = s.exec(select(QuizAttempt.id).where(QuizAttempt.quiz_id == setup.quiz_id)).one()
        reasons = s.exec(
            select(AuditEvent.reason).where(AuditEvent.entity == "quizattempt", AuditEvent.entity_id == attempt_id)
        ).all()
    offline = [r for r in reasons if r.startswith("offline ")]
    assert len(offline) == 2 and all(re.match(r"^offline [0-9a-f]{24} given \d{4}-\d\d-\d\dT", r) for r in offline)
    phone.screenshot(path=str(shots / "quiz-back-online-375-ky.png"), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the test scrolls sideways on a phone ({width} px)"

    # The hand-in: every answer counted — 2 + 2 + 1 of 5.
    phone.get_by_test_id("quiz-submit").tap()
    expect(phone.get_by_test_id("quiz-result")).to_contain_text("5/5 · 100%")

    # A second attempt: the server's time is made to end in a few seconds; the countdown hands it in.
    phone.get_by_test_id("quiz-back").tap()
    phone.get_by_test_id("quiz-card").filter(has_text=TITLE).get_by_test_id("quiz-start").tap()
    expect(phone.get_by_test_id("quiz-question")).to_have_count(3)
    with Session(db.make_engine(browser_db_url)) as s:
        second = s.exec(
            select(QuizAttempt.id).where(QuizAttempt.quiz_id == setup.quiz_id, QuizAttempt.number == 2)
        ).one()
        s.exec(
            update(QuizAttempt)
            .where(col(QuizAttempt.id) == second)
            .values(deadline=datetime.now(UTC) + timedelta(seconds=8))
        )  # type: ignore[call-overload]
        s.commit()
    _option(phone, "Офлайн 5 × 3", "15").tap()  # saved: the page learns the new deadline with it
    expect(phone.get_by_test_id("quiz-clock")).to_have_text(re.compile(r"^0:0\d$"))
    phone.screenshot(path=str(shots / "quiz-countdown-375-ky.png"), full_page=True)
    expect(phone.get_by_test_id("quiz-result")).to_contain_text("2/5 · 40%", timeout=30000)
    expect(phone.locator("[data-sonner-toast]").filter(has_text=t("quiz.time_up", "ky")).first).to_be_visible()
    with Session(db.engine(browser_db_url)) as s:
        done = s.get(QuizAttempt, second)
        assert done is not None and done.submitted_at is not None and (done.score, done.max_score) == (2, 5)

    # The parent reads the results of his child (the demo pupil) on /tests: read only.
    sign_in(page, "parent")
    page.goto("/tests")
    rows = page.get_by_test_id("quiz-family-row").filter(has_text=TITLE)
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="5/5 · 100%")).to_have_count(1)
    expect(page.get_by_test_id("quiz-start")).to_have_count(0)
    page.screenshot(path=str(shots / "quiz-family-1280-ky.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 740})
    page.screenshot(path=str(shots / "quiz-family-375-ky.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("quiz-family-row").first).to_contain_text("Результат")
    page.screenshot(path=str(shots / "quiz-family-375-ru.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    # The director edits the single choice (now held by attempts): a new version; his attempts keep the old.
    page.context.clear_cookies()
    sign_in(page, "director")
    page.goto("/tests")
    page.get_by_test_id("quiz-subject").click()  # the bank of the test's subject
    page.get_by_role("option", name=setup.subject, exact=True).click()
    row = page.get_by_test_id("quiz-bank-row").filter(has_text="Офлайн 5 × 3")
    row.get_by_test_id("quiz-edit").click()
    expect(page.get_by_test_id("quiz-editing")).to_be_visible()
    ky = page.get_by_test_id("quiz-q_ky")
    ky.fill("Офлайн 5 × 3 = ?")
    ky.blur()
    page.screenshot(path=str(shots / "quiz-edit-1280-ky.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 740})
    page.get_by_test_id("quiz-editing").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "quiz-edit-375-ky.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_test_id("quiz-save").click()
    expect(page.locator("[data-sonner-toast]").filter(has_text=t("quiz.question_saved", "ky")).first).to_be_visible()
    expect(page.get_by_test_id("quiz-bank-row").filter(has_text="Офлайн 5 × 3 = ?")).to_contain_text("в. 2")
    with Session(db.engine(browser_db_url)) as s:
        old = s.get(QuizQuestion, single)
        assert old is not None and old.deleted_at is not None and old.text_ky == "Офлайн 5 × 3"
