"""Free notifications (issue 17 #3): a mark and an absence reach a subscribed parent once by e-mail
(a real SMTP server on 127.0.0.1, aiosmtpd) and once by Telegram (a local HTTP server speaking the
bot API's getUpdates/sendMessage); nothing when he unsubscribed; one digest when he chose it;
quiet hours; retries recorded and never a second delivery; the journal's save path stays correct."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from datetime import UTC, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import col, func, select

from bbbms_app import db
from bbbms_app.models.messaging import Delivery, JournalEvent, Notification
from bbbms_app.services import journal, notify
from bbbms_app.services.journal import CellChange
from bbbms_app.services.journal.cells import load_cell
from bbbms_app.services.notify import Choices
from tests.factories import principal_of

BISHKEK = ZoneInfo("Asia/Bishkek")
TOKEN = "123:test-token"
CHAT = 5550001


def at(day: str, hh: int, mm: int = 0) -> datetime:
    """A moment of the school's wall clock, as UTC."""
    d = datetime.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hh, mm, tzinfo=BISHKEK).astimezone(UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.mails: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("BBBMS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BBBMS_SMTP_PORT", str(port))
    monkeypatch.setenv("BBBMS_SMTP_FROM", "mektep@bbbms.kg")
    monkeypatch.setenv("BBBMS_SMTP_STARTTLS", "0")
    yield inbox
    controller.stop()


class Bot:
    """The Telegram bot API as far as BBBMS uses it: getUpdates and sendMessage."""

    def __init__(self) -> None:
        self.updates: list[dict] = []
        self.sent: list[dict] = []
        self.fail_next = 0

    def handle(self, method: str, payload: dict) -> tuple[int, dict]:
        if method == "getUpdates":
            offset = int(payload.get("offset", 0))
            return 200, {"ok": True, "result": [u for u in self.updates if u["update_id"] >= offset]}
        if method == "sendMessage":
            if self.fail_next:
                self.fail_next -= 1
                return 502, {"ok": False, "description": "Bad Gateway"}
            self.sent.append(payload)
            return 200, {"ok": True, "result": {"message_id": len(self.sent)}}
        return 404, {"ok": False, "description": "Not Found"}


@pytest.fixture
def bot(monkeypatch):
    state = Bot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            prefix = f"/bot{TOKEN}/"
            if not self.path.startswith(prefix):
                code, answer = 401, {"ok": False, "description": "Unauthorized"}
            else:
                length = int(self.headers.get("Content-Length", 0))
                code, answer = state.handle(self.path[len(prefix) :], json.loads(self.rfile.read(length) or b"{}"))
            body = json.dumps(answer).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("BBBMS_TELEGRAM_API", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("BBBMS_TELEGRAM_TOKEN", TOKEN)
    yield state
    server.shutdown()
    server.server_close()


def choose(username: str = "t_parent", **fields) -> None:
    base = {"email": "chol.usonova@example.kg", "email_on": True}
    with db.session(write=True) as s:
        notify.save_choices(s, principal_of(username, s), Choices(**{**base, **fields}))


def link_telegram(bot: Bot, now: datetime) -> None:
    with db.session(write=True) as s:
        code = notify.telegram_code(s, principal_of("t_parent", s), now)
    bot.updates.append({"update_id": 41, "message": {"chat": {"id": CHAT}, "text": f"/start {code}"}})
    bot.updates.append({"update_id": 42, "message": {"chat": {"id": 999}, "text": "/start WRONG123"}})
    assert notify.run(now, telegram_offset=0)["telegram_offset"] == 43
    assert [m["chat_id"] for m in bot.sent] == [str(CHAT), "999"]
    assert "байланыштырылды" in bot.sent[0]["text"] and "туура эмес" in bot.sent[1]["text"]
    bot.sent.clear()


def save(school, lesson_index: int, change: CellChange, pupil_index: int = 1):
    """The class teacher saves a cell of 5-А's mathematics over what it holds now."""
    lesson, pupil = school.lessons_5a_math[lesson_index], school.pupils_5a[pupil_index]
    with db.session(write=True) as s:
        token = load_cell(s, lesson, pupil).token()
        return journal.save_cell(s, principal_of("t_classteacher", s), lesson, pupil, change, token)


# Lesson 2 of the known school is on 03.09.2025, lesson 3 on 04.09.2025; Мөлдир is t_parent's child.
DAY = "2025-09-04"


def mark_and_absence(school) -> None:
    save(school, 1, CellChange("class", 2))  # a 2 on 03.09
    save(school, 2, CellChange(attendance="н"))  # absent on 04.09, today


def text(mail) -> str:
    """A delivered e-mail's text, its line ends as Python writes them."""
    return mail.get_content().replace("\r\n", "\n")


def count(model) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_a_mark_and_an_absence_reach_a_subscribed_parent_once(school, smtp, bot):
    choose(telegram_on=False)
    link_telegram(bot, at(DAY, 9))
    choose(telegram_on=True)
    mark_and_absence(school)
    assert count(JournalEvent) == 2
    done = notify.run(at(DAY, 10), telegram_offset=43)
    assert (done["notifications"], done["deliveries"], done["sent"]) == (2, 4, 4)
    texts = sorted(text(m) for m in smtp.mails)
    assert texts == [
        "Мөлдир Абдыкадырова: Математика боюнча жаңы баа — 2 (03.09.2025)\n",
        "Мөлдир Абдыкадырова: бүгүн Математика сабагына келген жок (04.09.2025)\n",
    ]
    assert sorted(str(m["Subject"]) for m in smtp.mails) == ["Жаңы баа", "Сабакка келген жок"]
    assert all(m["To"] == "chol.usonova@example.kg" and m.get_content_charset() == "utf-8" for m in smtp.mails)
    assert [m["chat_id"] for m in bot.sent] == [str(CHAT)] * 2
    assert any("келген жок" in m["text"] for m in bot.sent)
    # Again, and again as if the job had died before recording its work: nothing new is sent.
    notify.run(at(DAY, 10, 1), telegram_offset=43)
    with db.session(write=True) as s:
        for e in s.exec(select(JournalEvent)).all():
            e.done_at = None
            s.add(e)
    notify.run(at(DAY, 10, 2), telegram_offset=43)
    assert (len(smtp.mails), len(bot.sent), count(Notification), count(Delivery)) == (2, 2, 2, 4)
    # The in-app list has both, unread until he reads them.
    with db.session(write=True) as s:
        me = principal_of("t_parent", s)
        assert notify.unread_count(s, me) == 2
        assert {r["kind"] for r in notify.inbox(s, me)} == {"mark", "absence"}
        notify.mark_all_read(s, me)
        assert notify.unread_count(s, me) == 0


def test_nothing_when_he_unsubscribed_and_only_a_2_when_he_asked(school, smtp):
    choose(absence=False, marks="off")
    mark_and_absence(school)
    notify.run(at(DAY, 10))
    assert smtp.mails == [] and count(Notification) == 0
    choose(marks="low")
    save(school, 0, CellChange("class", 4))  # a 4: not told
    save(school, 1, CellChange("home", 2))  # a 2: told
    notify.run(at(DAY, 11))
    assert [text(m) for m in smtp.mails] == ["Мөлдир Абдыкадырова: Математика боюнча жаңы баа — 2 (03.09.2025)\n"]


def test_an_absence_of_another_day_is_not_absent_today(school, smtp):
    choose()
    save(school, 2, CellChange(attendance="н"))  # 04.09
    notify.run(at("2025-09-08", 10))
    assert smtp.mails == []


def test_one_digest_when_he_chose_the_digest(school, smtp, bot):
    choose(digest="daily")
    mark_and_absence(school)
    notify.run(at(DAY, 10))
    assert smtp.mails == [] and count(Notification) == 2  # in the list at once; the e-mail waits
    notify.run(at(DAY, 18, 5))
    notify.run(at(DAY, 18, 6))
    [mail] = smtp.mails
    assert str(mail["Subject"]) == "БББМС: күндүн жыйнагы (2)"
    body = text(mail)
    assert "жаңы баа — 2" in body and "келген жок" in body
    # A later event the same evening waits for tomorrow's digest.
    save(school, 0, CellChange("class", 5))
    notify.run(at(DAY, 20))
    assert len(smtp.mails) == 1
    notify.run(at("2025-09-05", 18, 1))
    assert len(smtp.mails) == 2 and "— 5" in text(smtp.mails[1])


def test_quiet_hours_hold_the_message_until_they_end(school, smtp):
    choose(quiet_from=time(21, 0), quiet_to=time(7, 0))
    save(school, 2, CellChange("class", 5), pupil_index=1)
    notify.run(at(DAY, 22))
    notify.run(at("2025-09-05", 6, 59))
    assert smtp.mails == []
    notify.run(at("2025-09-05", 7, 0))
    assert len(smtp.mails) == 1


def test_a_failed_delivery_is_tried_again_and_recorded_never_twice(school, smtp, bot, monkeypatch):
    choose(email_on=False)
    link_telegram(bot, at(DAY, 9))
    bot.fail_next = 1
    save(school, 1, CellChange("class", 4))
    done = notify.run(at(DAY, 10))
    assert (done["sent"], done["failed"]) == (0, 1) and bot.sent == []
    with db.session() as s:
        d = s.exec(select(Delivery)).one()
        assert (d.status, d.attempts) == ("failed", 1) and "502" in d.error
    notify.run(at(DAY, 10, 1))
    notify.run(at(DAY, 10, 2))
    assert len(bot.sent) == 1
    with db.session() as s:
        d = s.exec(select(Delivery)).one()
        assert (d.status, d.attempts, d.error) == ("sent", 2, "")
    # A server that never answers: three attempts, then it stays failed with its reason.
    monkeypatch.setenv("BBBMS_TELEGRAM_API", f"http://127.0.0.1:{free_port()}")
    save(school, 0, CellChange("class", 5))
    for minute in range(5):
        notify.run(at(DAY, 11, minute))
    with db.session() as s:
        last = s.exec(select(Delivery).order_by(col(Delivery.id).desc())).first()
        assert count(Delivery) == 2 and (last.status, last.attempts) == ("failed", notify.MAX_ATTEMPTS) and last.error


def test_the_save_path_stays_correct_with_its_outbox(school):
    saved = save(school, 1, CellChange("class", 4))
    assert saved.changed and saved.cell.marks == {"class": (4, 1)}
    assert count(JournalEvent) == 1
    token = saved.cell.token()
    same = save_with_token(school, 1, CellChange("class", 4), token)
    assert not same.changed and count(JournalEvent) == 1  # nothing changed: nothing told
    cleared = save_with_token(school, 1, CellChange("class", None), token)
    assert cleared.changed and count(JournalEvent) == 1  # a cleared mark tells nothing
    # A refused save (a stale version) writes no event either: one transaction.
    with pytest.raises(journal.Stale):
        save_with_token(school, 1, CellChange("class", 5), token)
    assert count(JournalEvent) == 1


def save_with_token(school, lesson_index: int, change: CellChange, token: str):
    with db.session(write=True) as s:
        return journal.save_cell(
            s,
            principal_of("t_classteacher", s),
            school.lessons_5a_math[lesson_index],
            school.pupils_5a[1],
            change,
            token,
        )


def test_the_job_queue_runs_the_tick(school, smtp, tmp_path, monkeypatch):
    """notify_tick through Huey's own consumer (the SQLite queue), as the server runs it."""
    import secrets
    import signal
    import time as clock

    from bbbms_app import jobs, settings
    from bbbms_app.jobs import tasks

    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BBBMS_QUEUE_URL", raising=False)
    monkeypatch.setenv("BBBMS_QUEUE_NAME", f"test-{secrets.token_hex(3)}")
    monkeypatch.setattr(jobs, "now", lambda: at(DAY, 10))
    settings.reload()
    jobs.reload()
    choose()
    mark_and_absence(school)
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    consumer = jobs.huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        tasks.notify_tick()
        tasks.notify_tick()
        deadline = clock.monotonic() + 60
        while clock.monotonic() < deadline and not (jobs.status("notify") and len(smtp.mails) >= 2):
            clock.sleep(0.1)
        clock.sleep(0.5)
    finally:
        consumer.stop(graceful=True)
        for s, handler in saved.items():
            signal.signal(s, handler)
        jobs.huey.storage.close()
    assert len(smtp.mails) == 2
    assert jobs.status("notify")["ok"]


def test_a_quarter_mark_homework_for_tomorrow_and_an_announcement(school, smtp):
    from datetime import date

    from bbbms_app.models import Lesson
    from bbbms_app.services import announcements

    choose(homework=True)
    with db.session(write=True) as s:
        journal.set_period_mark(
            s,
            principal_of("t_classteacher", s),
            school.class_5a,
            school.math,
            school.term_ids[0],
            school.pupils_5a[1],
            value=3,
            reason="бир гана баа",
            expected_version=0,
        )
        # Tomorrow's (05.09.2025) lesson of 5-А with its homework; and one of 6-Б, not his.
        for class_id in (school.class_5a, school.class_6b):
            s.add(
                Lesson(
                    school_id=school.school_id,
                    class_id=class_id,
                    subject_id=school.math,
                    teacher_id=school.teacher_a,
                    term_id=school.term_ids[0],
                    date=date(2025, 9, 5),
                    homework="№ 12, 13-бет",
                )
            )
        announcements.post(
            s,
            principal_of("t_classteacher", s),
            announcements.Draft(
                title="Ата-энелер чогулушу",
                body="Жума күнү саат 17:00дө",
                audience="class",
                reach="parents",
                class_id=school.class_5a,
                publish_on=date(2025, 9, 4),
            ),
            date(2025, 9, 4),
        )
    notify.run(at(DAY, 14))  # before 15:00: no homework yet
    notify.run(at(DAY, 15, 30))
    notify.run(at(DAY, 15, 31))
    texts = sorted(text(m) for m in smtp.mails)
    assert texts == [
        "Жаңы кулактандыруу: Ата-энелер чогулушу\n",
        "Мөлдир Абдыкадырова: Математика боюнча чейректик баа — 3\n",
        "Мөлдир Абдыкадырова: эртеңки үй тапшырмасы — Математика: № 12, 13-бет\n",
        "Нурбек Үсөнов: эртеңки үй тапшырмасы — Математика: № 12, 13-бет\n",
    ]
    # The announcement reached the parent and nobody else (5-А's parents only, not its author).
    with db.session() as s:
        told = s.exec(select(Notification.user_id).where(Notification.kind == "announcement")).all()
        assert told == [principal_of("t_parent", s).user_id]


def test_a_send_interrupted_mid_way_is_never_sent_again(school, smtp, monkeypatch):
    """The consumer dies while the mail server has the message: the delivery stays «sending», and
    the next ticks record it as failed instead of sending it a second time."""
    choose()
    save(school, 1, CellChange("class", 4))
    real = notify.send_email

    def dies(*args, **kwargs):
        real(*args, **kwargs)  # the message reaches the server …
        raise SystemExit("killed")  # … and the process dies before recording it

    monkeypatch.setattr(notify, "send_email", dies)
    with pytest.raises(SystemExit):
        notify.run(at(DAY, 10))
    monkeypatch.setattr(notify, "send_email", real)
    with db.session() as s:
        assert s.exec(select(Delivery.status)).one() == "sending"
    notify.run(at(DAY, 10, 5))  # too early to call it interrupted: left alone
    notify.run(at(DAY, 10, 11))
    notify.run(at(DAY, 10, 12))
    assert len(smtp.mails) == 1
    with db.session() as s:
        d = s.exec(select(Delivery)).one()
        assert (d.status, d.attempts) == ("failed", notify.MAX_ATTEMPTS) and "not sent again" in d.error


def test_a_subgroups_homework_reaches_only_the_families_of_its_group(school, smtp):
    """5-А learns English in two groups; t_parent's children are one in each. Each child's family is
    told his own group's homework, not the other group's (the diary's rule)."""
    from bbbms_app.models import SubgroupMember
    from tests.subgroup_factory import add_english_groups

    choose(homework=True)
    with db.session(write=True) as s:
        english = add_english_groups(s, school)  # both groups' lessons on 05.09.2025, «Ex. 1» and «Ex. 2»
        for pupil, group in ((school.pupils_5a[0], 1), (school.pupils_5a[1], 2), (school.pupils_5a[2], 1)):
            s.add(
                SubgroupMember(
                    school_id=school.school_id,
                    class_id=school.class_5a,
                    subject_id=english.english,
                    subgroup=group,
                    pupil_id=pupil,
                )
            )
    notify.run(at(DAY, 15, 30))
    assert sorted(text(m) for m in smtp.mails) == [
        "Мөлдир Абдыкадырова: эртеңки үй тапшырмасы — Англис тили: Ex. 2\n",
        "Нурбек Үсөнов: эртеңки үй тапшырмасы — Англис тили: Ex. 1\n",
    ]
