"""A test taken on a 375 px phone with taps through a dropped connection and a reload: the answers
given offline are kept in the browser (assets/quiz_answers.js), survive the page being reloaded while
offline, go to the server when it is back (audited «offline … given …») and are all there at the
hand-in. The countdown hands a second attempt in by itself when the server's time is up. The pupil's
parent then reads the result on /tests; the director edits a bank question (a new version), deletes
one (asked first) and takes the delete back. A second test: an ordering and a matching question
answered offline keep the order and the pairs through a reload and are graded right at the hand-in."""

from __future__ import annotations

import contextlib
import os
import re
import time
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
from tests.browser.test_shell import open_sign_in, sign_in

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


def _demo_pupils_class(s: Session) -> tuple:
    """The demo director, the demo pupil, his class today and the class's first subject."""
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
    return director, pupil_id, class_id, subject


def _open_quiz(s: Session, director, subject, class_id: int, drafts: list, title: str, *, attempts: int) -> tuple:
    """The drafts added to the bank and a 30-minute test of them for the class, open since five
    minutes ago for a day: (question ids, the test's id)."""
    ids = [svc.add_question(s, director, d) for d in drafts]
    now = datetime.now(UTC)
    quiz_id = svc.create_quiz(
        s,
        director,
        QuizDraft(
            subject_id=subject,
            title=title,
            classes={class_id: None},
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(days=1),
            question_ids=ids,
            time_limit_min=30,
            attempts_allowed=attempts,
        ),
    )
    return ids, quiz_id


def _setup(url: str) -> Setup:
    """The demo director gives the demo pupil's class a 30-minute test of three questions, two attempts."""
    eng = db.make_engine(url)
    try:
        with Session(eng) as s:
            director, pupil_id, class_id, subject = _demo_pupils_class(s)

            def opts(*texts: str) -> list[dict[str, str]]:
                return [{"ky": x} for x in texts]

            drafts = [
                QuestionDraft(subject, "single", "Офлайн 5 × 3", "", "Офлайн", opts("8", "15", "53"), [1], 2),
                QuestionDraft(subject, "multi", "Офлайн жуп сандар", "", "Офлайн", opts("2", "7", "10"), [0, 2], 2),
                QuestionDraft(subject, "text", "Офлайн борбор шаар", "", "Офлайн", key=["Бишкек"]),
            ]
            ids, quiz_id = _open_quiz(s, director, subject, class_id, drafts, TITLE, attempts=2)
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

    open_sign_in(phone)
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

    # He deletes the short answer from the bank with a reason — asked first — and takes it back.
    row = page.get_by_test_id("quiz-bank-row").filter(has_text="Офлайн борбор шаар")
    row.get_by_test_id("quiz-edit").click()
    reason = page.get_by_test_id("quiz-q_reason")
    reason.fill("Кайталанган суроо")
    reason.blur()
    page.get_by_test_id("quiz-delete").click()
    page.get_by_test_id("confirm-cancel").click()  # not yet: nothing deleted
    expect(page.get_by_test_id("quiz-bank-row").filter(has_text="Офлайн борбор шаар")).to_have_count(1)
    page.get_by_test_id("quiz-delete").click()
    page.screenshot(path=str(shots / "quiz-delete-confirm-1280-ky.png"))
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_test_id("quiz-bank-row").filter(has_text="Офлайн борбор шаар")).to_have_count(0)
    gone = page.get_by_test_id("quiz-deleted-row").filter(has_text="Офлайн борбор шаар")
    expect(gone).to_contain_text("Кайталанган суроо")
    gone.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "quiz-deleted-1280-ky.png"))
    gone.get_by_test_id("quiz-restore").click()
    expect(page.locator("[data-sonner-toast]").filter(has_text=t("quiz.question_restored", "ky")).first).to_be_visible()
    expect(page.get_by_test_id("quiz-bank-row").filter(has_text="Офлайн борбор шаар")).to_have_count(1)
    expect(gone).to_have_count(0)
    # Deleted again, and taken back at once from the toast's own button (the earlier toasts gone first:
    # the first delete's toast has the same button). The mouse leaves the corner first: toasts under a
    # resting pointer are held open (sonner pauses them on hover) — the last click may have left it there.
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=30000)
    page.get_by_test_id("quiz-bank-row").filter(has_text="Офлайн борбор шаар").get_by_test_id("quiz-edit").click()
    page.get_by_test_id("quiz-q_reason").fill("Жаңылыш")
    page.get_by_test_id("quiz-q_reason").blur()
    page.get_by_test_id("quiz-delete").click()
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_test_id("quiz-bank-row").filter(has_text="Офлайн борбор шаар")).to_have_count(0)
    toast = page.locator("[data-sonner-toast]").filter(has_text=t("quiz.question_deleted", "ky"))
    toast.get_by_role("button", name=t("quiz.restore", "ky")).click()
    expect(page.get_by_test_id("quiz-bank-row").filter(has_text="Офлайн борбор шаар")).to_have_count(1)
    with Session(db.engine(browser_db_url)) as s:
        back = s.get(QuizQuestion, text)
        assert back is not None and back.deleted_at is None
        actions = s.exec(
            select(AuditEvent.action)
            .where(AuditEvent.entity == "quizquestion", AuditEvent.entity_id == text)
            .order_by(col(AuditEvent.id))
        ).all()
        assert actions[-4:] == ["delete", "restore", "delete", "restore"]


ORDER_TITLE = "Офлайн: тартип жана жуптар"
ORDER_Q = "Кичинесинен чоңуна"
MATCH_Q = "Өлкөнү борбору менен"


def _order_match_setup(url: str) -> int:
    """The demo director gives the demo pupil's class a test of an ordering question (4 points) and a
    matching one (3 pairs, 3 points), one attempt of 30 minutes. The test's id."""
    eng = db.make_engine(url)
    try:
        with Session(eng) as s:
            director, _pupil, class_id, subject = _demo_pupils_class(s)
            pairs = [
                {"ky": a, "to_ky": b}
                for a, b in (("Кыргызстан", "Бишкек"), ("Казакстан", "Астана"), ("Өзбекстан", "Ташкент"))
            ]
            numbers = [{"ky": x} for x in ("2", "5", "11", "30")]
            drafts = [
                QuestionDraft(subject, "order", ORDER_Q, "", "Офлайн", numbers, None, 4),  # type: ignore[arg-type]
                QuestionDraft(subject, "match", MATCH_Q, "", "Офлайн", pairs, None, 3),  # type: ignore[arg-type]
            ]
            _ids, quiz_id = _open_quiz(s, director, subject, class_id, drafts, ORDER_TITLE, attempts=1)
            s.commit()
            return quiz_id
    finally:
        eng.dispose()


# The ordering question's rows as the pupil sees them: top to bottom, each with the number shown
# before it (quiz_answers.js moves rows moved offline with CSS `order` and numbers them by data-ln,
# so the DOM's order is not what he sees) and its item.
_SHOWN_ORDER = r"""card => Array.from(card.querySelectorAll('[data-order-item]')).map(row => {
  const label = row.querySelector('[data-testid="quiz-order-item"]');
  const number = label.dataset.ln || label.querySelector('.qz-num').textContent.replace('.', '').trim();
  return [row.getBoundingClientRect().top, number, label.innerText.replace(/^\d+\.\s*/, '').trim()];
}).sort((a, b) => a[0] - b[0]).map(r => [r[1], r[2]])"""


def _shown_order(phone: Page) -> list[list[str]]:
    return _card(phone, ORDER_Q).evaluate(_SHOWN_ORDER)


def _order_row(phone: Page, item: str):
    label = phone.get_by_test_id("quiz-order-item").filter(has_text=re.compile(rf"(^|\s){item}$"))
    return _card(phone, ORDER_Q).locator("[data-order-item]").filter(has=label)


def _wait_shown(phone: Page, items: list[int], timeout: float = 10) -> None:
    """Until the ordering question shows `items` top to bottom, numbered 1, 2, …"""
    want = [[str(k + 1), str(x)] for k, x in enumerate(items)]
    deadline = time.monotonic() + timeout
    while (seen := _shown_order(phone)) != want:
        if time.monotonic() > deadline:
            raise AssertionError(f"the ordering question shows {seen}, not {want}")
        time.sleep(0.1)


def test_an_ordering_and_a_matching_question_answered_offline_keep_their_order_through_a_reload(
    phone: Page, browser_db_url
):
    shots = _shots()
    quiz_id = _order_match_setup(browser_db_url)
    frames: list[str] = []
    phone.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))

    open_sign_in(phone)
    phone.locator("#username").tap()
    phone.locator("#username").fill("pupil")
    phone.locator("#password").tap()
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_test_id("login-submit").tap()
    expect(phone.get_by_test_id("page-title")).to_be_visible()
    phone.goto("/tests")
    phone.get_by_test_id("quiz-card").filter(has_text=ORDER_TITLE).get_by_test_id("quiz-start").tap()
    expect(phone.get_by_test_id("quiz-question")).to_have_count(2)
    first = _shown_order(phone)
    assert [n for n, _ in first] == ["1", "2", "3", "4"]
    assert [int(x) for _, x in first] != [2, 5, 11, 30]  # never shown already in order

    # The connection drops. He sorts the items with taps on the arrows (a bubble sort on screen) ...
    phone.context.set_offline(True)
    for _ in range(8):
        shown = [int(x) for _, x in _shown_order(phone)]
        wrong = next((k for k in range(len(shown) - 1) if shown[k] > shown[k + 1]), None)
        if wrong is None:
            break
        # every other swap with the lower item's «up», the rest with the upper one's «down»
        if wrong % 2:
            _order_row(phone, str(shown[wrong + 1])).get_by_test_id("quiz-up").tap()
        else:
            _order_row(phone, str(shown[wrong])).get_by_test_id("quiz-down").tap()
        shown[wrong], shown[wrong + 1] = shown[wrong + 1], shown[wrong]
        _wait_shown(phone, shown)
    else:
        raise AssertionError("the ordering question did not sort")
    assert _shown_order(phone) == [["1", "2"], ["2", "5"], ["3", "11"], ["4", "30"]]

    # ... and picks the pairs: one right, two swapped.
    match = _card(phone, MATCH_Q)
    for k, right in enumerate(("Бишкек", "Ташкент", "Астана")):
        match.get_by_test_id("quiz-match").nth(k).tap()
        phone.get_by_role("option", name=right, exact=True).tap()
        expect(match.get_by_test_id("quiz-match").nth(k)).to_have_text(right)
    expect(_card(phone, ORDER_Q).get_by_test_id("quiz-kept")).to_be_visible()
    expect(match.get_by_test_id("quiz-kept")).to_be_visible()
    expect(phone.get_by_test_id("quiz-outbox")).to_have_attribute("data-count", "2")
    phone.screenshot(path=str(shots / "quiz-order-offline-375-ky.png"), full_page=True)
    with Session(db.engine(browser_db_url)) as s:  # nothing reached the server
        attempt_id = s.exec(select(QuizAttempt.id).where(QuizAttempt.quiz_id == quiz_id)).one()
        assert svc._answers(s, attempt_id) == {}  # type: ignore[arg-type]

    # A reload while offline: the page cannot load; the order and the pairs stay in the phone.
    with contextlib.suppress(PlaywrightError):
        phone.reload()
    expect(phone.get_by_test_id("quiz-question")).to_have_count(0)
    phone.context.set_offline(False)
    phone.goto("/tests")  # back online: the running attempt opens, the kept answers go
    expect(phone.get_by_test_id("quiz-question")).to_have_count(2)
    expect(phone.get_by_test_id("quiz-outbox")).not_to_have_attribute("data-count", re.compile(".*"))
    expect(_card(phone, ORDER_Q).get_by_test_id("quiz-saved")).to_be_visible()
    assert _shown_order(phone) == [["1", "2"], ["2", "5"], ["3", "11"], ["4", "30"]]  # now the server's order
    for k, right in enumerate(("Бишкек", "Ташкент", "Астана")):
        expect(_card(phone, MATCH_Q).get_by_test_id("quiz-match").nth(k)).to_have_text(right)
    with Session(db.engine(browser_db_url)) as s:
        assert len(svc._answers(s, attempt_id)) == 2  # type: ignore[arg-type]
        reasons = s.exec(
            select(AuditEvent.reason).where(AuditEvent.entity == "quizattempt", AuditEvent.entity_id == attempt_id)
        ).all()
    assert len([r for r in reasons if r.startswith("offline ")]) == 2
    phone.screenshot(path=str(shots / "quiz-order-online-375-ky.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    # No key in what the server sent before the hand-in: no stored key or layout, no raw pair.
    before = "\n".join(frames)
    assert ORDER_Q in before and "Ташкент" in before  # the frames were read
    for secret in ("key_json", '"perm"', '"seed"', "to_ky", "options_json"):
        assert secret not in before, secret

    # Hand-computed: the order all right 4/4; one pair of three right: 3 × 1/3 = 1 → 5/7 = 71.4 %.
    phone.get_by_test_id("quiz-submit").tap()
    expect(phone.get_by_test_id("quiz-result")).to_contain_text("5/7 · 71%")
    with Session(db.engine(browser_db_url)) as s:
        done = s.get(QuizAttempt, attempt_id)
        assert done is not None and (done.score, done.max_score) == (5, 7)
