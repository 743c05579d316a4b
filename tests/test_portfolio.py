"""The pupil's e-portfolio and project work (issue 18 #4, #5): scope, verification, the public link,
verified-only counting, and a project's thread, files and assessment — the services."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Lesson, Mark, Pupil
from bbbms_app.models.portfolio import Achievement, PortfolioLink
from bbbms_app.services import portfolio, projects
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.portfolio import Entry
from bbbms_app.services.projects import ProjectDraft
from bbbms_app.services.school import full_name
from tests.consent_support import private_dir  # noqa: F401  (fixture)
from tests.factories import principal_of

TODAY = date(2026, 3, 2)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def add(username: str = "t_pupil", title: str = "Математика олимпиадасы", **kw) -> int:
    entry = Entry(
        kind=kw.pop("kind", "olympiad"),
        level=kw.pop("level", "rayon"),
        title=title,
        achieved_on=kw.pop("achieved_on", date(2026, 2, 10)),
        place=kw.pop("place", "1"),
        **kw,
    )
    with db.session(write=True) as s:
        return portfolio.add(s, principal_of(username, s), entry, TODAY).id  # type: ignore[return-value]


def submit(aid: int, username: str = "t_pupil") -> None:
    with db.session(write=True) as s:
        portfolio.submit(s, principal_of(username, s), aid)


def review(aid: int, username: str, verdict: str = "verified", comment: str = "") -> None:
    with db.session(write=True) as s:
        portfolio.review(s, principal_of(username, s), aid, verdict, comment, TODAY)


def titles(username: str, pupil_id: int, **kw) -> list[str]:
    with db.session() as s:
        return [r["title"] for r in portfolio.entries(s, principal_of(username, s), pupil_id, TODAY, **kw)]


def test_the_pupil_adds_his_own_and_the_family_and_his_class_teacher_see_it(school):
    me, sister, other = school.pupils_5a[0], school.pupils_5a[1], school.pupils_6b[0]
    aid = add()
    assert titles("t_pupil", me) == ["Математика олимпиадасы"]
    assert titles("t_parent", me) == ["Математика олимпиадасы"]  # his child
    # A draft is the family's: the class teacher sees it once it is submitted.
    assert titles("t_classteacher", me) == []
    submit(aid)
    assert titles("t_classteacher", me) == ["Математика олимпиадасы"]
    assert titles("t_deputy", me) == ["Математика олимпиадасы"]
    # The parent's other child has an (empty) portfolio he may read; another pupil's is not there.
    assert titles("t_parent", sister) == []
    for username, pupil_id in (("t_pupil", sister), ("t_pupil", other), ("t_parent", other), ("t_classteacher", other)):
        with pytest.raises(NotFound), db.session() as s:
            portfolio.entries(s, principal_of(username, s), pupil_id, TODAY)
    # A subject teacher of 6-Б holds no portfolio.read and leads no class: nothing to open.
    with pytest.raises(NotFound), db.session() as s:
        portfolio.entries(s, principal_of("t_teacher", s), other, TODAY)
    with db.session() as s:
        assert sorted(o["id"] for o in portfolio.pupil_options(s, principal_of("t_parent", s), TODAY)) == sorted(
            str(p) for p in (me, sister)
        )
        assert len(portfolio.pupil_options(s, principal_of("t_classteacher", s), TODAY)) == 3


def test_only_the_pupil_writes_parents_read_only(school):
    entry = Entry(kind="sport", level="school", title="Футбол", achieved_on=date(2026, 1, 5))
    for username in ("t_parent", "t_classteacher", "t_director"):
        with pytest.raises(OutOfScope), db.session(write=True) as s:
            portfolio.add(s, principal_of(username, s), entry, TODAY)
    aid = add()
    # Another pupil's entry cannot be submitted by a forged id.
    with pytest.raises(NotFound), db.session(write=True) as s:
        portfolio.submit(s, principal_of("t_parent", s), aid)


def test_bad_entries_are_refused_naming_the_field(school):
    cases = [
        ({"title": " "}, "title"),
        ({"achieved_on": date(2026, 3, 3)}, "achieved_on"),
        ({"achieved_on": None}, "achieved_on"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"kind": "party"}, "kind"),
        ({"level": "galaxy"}, "level"),
    ]
    for change, field in cases:
        values = {"kind": "olympiad", "level": "rayon", "title": "Олимпиада", "achieved_on": date(2026, 2, 1)}
        values.update(change)
        with pytest.raises(Refused) as err, db.session(write=True) as s:
            portfolio.add(s, principal_of("t_pupil", s), Entry(**values), TODAY)
        assert err.value.field == field
    with db.session() as s:
        assert s.exec(select(Achievement)).all() == []


def test_the_class_teacher_verifies_only_his_class_and_a_rejection_says_why(school):
    aid = add()
    submit(aid)
    # teacher_b teaches 6-Б and leads no class: no right, no scope.
    with pytest.raises((OutOfScope, NotFound)), db.session(write=True) as s:
        portfolio.review(s, principal_of("t_teacher", s), aid, "verified", "", TODAY)
    with pytest.raises(Refused) as err, db.session(write=True) as s:
        portfolio.review(s, principal_of("t_classteacher", s), aid, "rejected", "  ", TODAY)
    assert err.value.field == "comment"
    review(aid, "t_classteacher", "rejected", "Диплом тиркелген эмес")
    with db.session() as s:
        a = s.get(Achievement, aid)
        assert (a.status, a.review_comment) == ("rejected", "Диплом тиркелген эмес")
    # Corrected and submitted again, the deputy verifies it.
    submit(aid)
    review(aid, "t_deputy")
    with db.session() as s:
        assert s.get(Achievement, aid).status == "verified"
        trail = s.exec(
            select(AuditEvent.username, AuditEvent.new_value)
            .where(AuditEvent.entity == "achievement", AuditEvent.entity_id == aid, AuditEvent.field == "status")
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(r) for r in trail] == [
        ("t_pupil", "submitted"),
        ("t_classteacher", "rejected"),
        ("t_pupil", "submitted"),
        ("t_deputy", "verified"),
    ]
    # A verified entry is not reviewed twice.
    with pytest.raises(Refused), db.session(write=True) as s:
        portfolio.review(s, principal_of("t_director", s), aid, "rejected", "жок", TODAY)


def test_a_class_teacher_of_another_class_cannot_verify(school):
    """A 6-Б pupil's entry: the 5-А class teacher reaches neither the entry nor the pupil."""
    from bbbms_app.services import accounts

    with db.session(write=True) as s:
        accounts.create_user(
            s, "t_pupil6", "pupil", "test-password-1", school_id=school.school_id, pupil_id=school.pupils_6b[0]
        )
    aid = add("t_pupil6", "Сүрөт сынагы", kind="art")
    submit(aid, "t_pupil6")
    with pytest.raises(NotFound), db.session(write=True) as s:
        portfolio.review(s, principal_of("t_classteacher", s), aid, "verified", "", TODAY)
    with db.session() as s:
        assert portfolio.pending(s, principal_of("t_classteacher", s), TODAY) == []
        assert [r["title"] for r in portfolio.pending(s, principal_of("t_deputy", s), TODAY)] == ["Сүрөт сынагы"]


def test_only_verified_entries_print_and_count_in_the_school_list(school):
    a1 = add(title="Олимпиада (ырасталган)", level="republic", place="2")
    a2 = add(title="Сынак (текшерүүдө)")
    add(title="Каралама")
    submit(a1)
    submit(a2)
    review(a1, "t_classteacher")
    with db.session() as s:
        printed = portfolio.portfolio_of(s, school.pupils_5a[0], "ky", TODAY)
        assert [e["title"] for e in printed["entries"]] == ["Олимпиада (ырасталган)"]
        # No PIN, no birth date in what the print and the public page are made of.
        text = repr(printed)
        assert "21503201400011" not in text and "2014" not in text
        rows = portfolio.school_list(s, principal_of("t_director", s), TODAY, "ru")
        assert [(r["title"], r["level"], r["place"]) for r in rows] == [
            ("Олимпиада (ырасталган)", "Республиканский", "2")
        ]
        with pytest.raises(OutOfScope):
            portfolio.school_list(s, principal_of("t_classteacher", s), TODAY, "ky")
    assert titles("t_pupil", school.pupils_5a[0], verified_only=True) == ["Олимпиада (ырасталган)"]
    with db.session(write=True) as s:
        data, name = portfolio.school_list_xlsx(s, principal_of("t_deputy", s), TODAY, "ky")
    assert data[:2] == b"PK" and name.endswith(".xlsx")


def test_the_public_link_switches_on_and_off_and_is_audited(school):
    me = school.pupils_5a[0]
    with db.session(write=True) as s:
        token = portfolio.link_on(s, principal_of("t_parent", s), me)
    with db.session() as s:
        assert portfolio.public_pupil(s, token) == me
        assert portfolio.link_is_on(s, me)
        # Only the hash is stored.
        assert token not in repr(s.exec(select(PortfolioLink)).all())
    with db.session(write=True) as s:
        again = portfolio.link_on(s, principal_of("t_pupil", s), me)  # a new link revokes the old
    with db.session() as s:
        assert portfolio.public_pupil(s, token) is None
        assert portfolio.public_pupil(s, again) == me
    with db.session(write=True) as s:
        portfolio.link_off(s, principal_of("t_pupil", s), me)
    with db.session() as s:
        assert portfolio.public_pupil(s, again) is None
        assert not portfolio.link_is_on(s, me)
        assert portfolio.public_pupil(s, "x" * 43) is None
        switched = s.exec(
            select(AuditEvent.username, AuditEvent.new_value).where(AuditEvent.entity == "portfolio_link")
        ).all()
    assert sorted(tuple(r) for r in switched) == sorted([("t_parent", "on"), ("t_pupil", "on"), ("t_pupil", "off")])
    # Only the family switches it; not for another family's child.
    for username, pupil_id in (("t_classteacher", me), ("t_parent", school.pupils_6b[0]), ("t_director", me)):
        with pytest.raises(NotFound), db.session(write=True) as s:
            portfolio.link_on(s, principal_of(username, s), pupil_id)


@pytest.mark.usefixtures("private_dir")
def test_evidence_is_private_to_the_portfolio_s_readers(school):
    entry = Entry(kind="certificate", level="international", title="IELTS", achieved_on=date(2026, 1, 20))
    with db.session(write=True) as s:
        aid = portfolio.add(s, principal_of("t_pupil", s), entry, TODAY, evidence=PNG).id
    with db.session(write=True) as s:
        data, _entry = portfolio.evidence_for(s, principal_of("t_parent", s), aid, TODAY)
    assert data == PNG
    # A draft's evidence: not the class teacher's yet; never another family's.
    for username in ("t_classteacher", "t_teacher"):
        with pytest.raises(NotFound), db.session(write=True) as s:
            portfolio.evidence_for(s, principal_of(username, s), aid, TODAY)
    with pytest.raises(Refused), db.session(write=True) as s:
        portfolio.add(s, principal_of("t_pupil", s), entry, TODAY, evidence=b"<html>nope</html>")


def _project(school, members=None) -> int:
    draft = ProjectDraft(
        title="Суу үнөмдөө",
        goal="Мектептеги сууну эсептөө",
        starts_on=date(2025, 9, 1),
        ends_on=date(2026, 2, 20),
        subject_id=school.math,
        member_ids=tuple(members or school.pupils_5a[:2]),
    )
    with db.session(write=True) as s:
        return projects.create(s, principal_of("t_classteacher", s), draft).id  # type: ignore[return-value]


@pytest.mark.usefixtures("private_dir")
def test_a_project_s_members_share_a_thread_and_files_others_do_not(school):
    pid = _project(school)
    with db.session(write=True) as s:
        projects.post(s, principal_of("t_pupil", s), pid, "Биринчи өлчөө", PNG, "olchoo.png")
        projects.post(s, principal_of("t_classteacher", s), pid, "Жакшы!")
    with db.session() as s:
        seen = projects.detail(s, principal_of("t_pupil", s), pid, "ky")
        assert [p["text"] for p in seen["posts"]] == ["Биринчи өлчөө", "Жакшы!"]
        assert seen["takes_part"] and not seen["supervises"]
        post_id = int(seen["posts"][0]["id"])
        # The director reads every project; he takes no part.
        assert not projects.detail(s, principal_of("t_director", s), pid, "ky")["takes_part"]
        assert [r["title"] for r in projects.listing(s, principal_of("t_pupil", s))] == ["Суу үнөмдөө"]
        assert projects.listing(s, principal_of("t_teacher", s)) == []
    with db.session(write=True) as s:
        data, _row = projects.file_for(s, principal_of("t_classteacher", s), post_id)
    assert data == PNG
    # A teacher outside the project: no project, no file, no post.
    with pytest.raises(NotFound), db.session() as s:
        projects.detail(s, principal_of("t_teacher", s), pid, "ky")
    with pytest.raises(NotFound), db.session(write=True) as s:
        projects.file_for(s, principal_of("t_teacher", s), post_id)
    with pytest.raises(NotFound), db.session(write=True) as s:
        projects.post(s, principal_of("t_teacher", s), pid, "мен да")
    with pytest.raises(OutOfScope), db.session(write=True) as s:
        projects.post(s, principal_of("t_director", s), pid, "мен да")
    # The supervisor cannot take a pupil he does not reach as a member.
    with pytest.raises(NotFound):
        _project(school, members=[school.pupils_6b[0]])


def test_tasks_have_members_as_owners_and_members_tick_them(school):
    pid = _project(school)
    with db.session(write=True) as s:
        tid = projects.add_task(
            s, principal_of("t_classteacher", s), pid, "Эсептегичти окуу", school.pupils_5a[0], date(2026, 1, 10)
        ).id
        projects.add_task(s, principal_of("t_classteacher", s), pid, "Жыйынтык", None, date(2026, 2, 20), True)
    with pytest.raises(OutOfScope), db.session(write=True) as s:
        projects.add_task(s, principal_of("t_pupil", s), pid, "Өзүм кошом", None, None)
    with pytest.raises(NotFound), db.session(write=True) as s:
        projects.add_task(s, principal_of("t_classteacher", s), pid, "Бөтөн", school.pupils_6b[0], None)
    with db.session(write=True) as s:
        projects.set_done(s, principal_of("t_pupil", s), tid, True)
    with db.session() as s:
        tasks = projects.detail(s, principal_of("t_pupil", s), pid, "ky")["tasks"]
    assert [(r["title"], r["done"], r["milestone"]) for r in tasks] == [
        ("Эсептегичти окуу", "1", ""),
        ("Жыйынтык", "", "1"),
    ]


def test_the_assessment_marks_the_journal_and_fills_each_member_s_portfolio(school):
    pid = _project(school)
    lesson = school.lessons_5a_math[1]
    first, second = school.pupils_5a[:2]
    with db.session() as s:
        offered = projects.lesson_options(s, principal_of("t_classteacher", s), pid, TODAY)
        first_name = full_name(s.get(Pupil, first))
    assert str(lesson) in [o["id"] for o in offered]
    # The lesson where the first member was absent says so (the page's default skips it).
    absent = {o["id"]: o["absent"] for o in offered}
    assert absent[str(school.lessons_5a_math[2])] == first_name
    assert absent[str(lesson)] == ""
    # A non-member's mark, or another teacher's assessment: nothing is written.
    with pytest.raises(NotFound), db.session(write=True) as s:
        projects.assess(s, principal_of("t_classteacher", s), pid, "Жакшы", {school.pupils_5a[2]: 5}, lesson)
    with pytest.raises((OutOfScope, NotFound)), db.session(write=True) as s:
        projects.assess(s, principal_of("t_teacher", s), pid, "Жакшы", {first: 5}, lesson)
    # The first pupil was absent (ill) at the third lesson: the grid's rule refuses his mark there,
    # and the whole assessment with it (no entry in anyone's portfolio).
    with pytest.raises(Refused) as refused, db.session(write=True) as s:
        projects.assess(s, principal_of("t_classteacher", s), pid, "Жакшы", {first: 5}, school.lessons_5a_math[2])
    # The refusal names the member and the journal's reason, in the reader's language.
    assert refused.value.field == "lesson"
    for lang, why in (("ky", "сабакта болгон эмес"), ("ru", "отсутствовал"), ("en", "was absent")):
        message = refused.value.message(lang)
        assert first_name in message and why in message, message
    with db.session() as s:
        assert s.exec(select(Achievement).where(Achievement.project_id == pid)).all() == []
    with db.session(write=True) as s:
        written = projects.assess(
            s, principal_of("t_classteacher", s), pid, "Жакшы иш", {first: 5, second: 4}, lesson, kind="test"
        )
    assert written == 2
    with db.session() as s:
        marks = s.exec(select(Mark.pupil_id, Mark.value).where(Mark.lesson_id == lesson, Mark.kind == "test")).all()
        assert sorted(tuple(m) for m in marks) == sorted([(first, 5), (second, 4)])
        reasons = s.exec(
            select(AuditEvent.reason).where(AuditEvent.entity == "lesson", AuditEvent.entity_id == lesson)
        ).all()
        assert f"project {pid}" in reasons
        entries = s.exec(select(Achievement).where(Achievement.project_id == pid)).all()
        assert sorted(a.pupil_id for a in entries) == sorted([first, second])
        assert {(a.kind, a.status) for a in entries} == {("project", "verified")}
    assert titles("t_pupil", first, verified_only=True) == ["Суу үнөмдөө"]
    # Once only.
    with pytest.raises(Refused), db.session(write=True) as s:
        projects.assess(s, principal_of("t_classteacher", s), pid, "Дагы", {}, None)


def test_a_cancelled_lesson_is_not_offered_for_the_project_s_mark(school):
    pid = _project(school)
    cancelled = school.lessons_5a_math[1]
    with db.session() as s:
        offered = [o["id"] for o in projects.lesson_options(s, principal_of("t_classteacher", s), pid, TODAY)]
    assert str(cancelled) in offered
    with db.session(write=True) as s:
        row = s.get(Lesson, cancelled)
        row.cancelled = True
        s.add(row)
    with db.session() as s:
        offered = [o["id"] for o in projects.lesson_options(s, principal_of("t_classteacher", s), pid, TODAY)]
    assert str(cancelled) not in offered and offered


def test_a_mark_on_a_lesson_of_another_subject_is_refused(school):
    pid = _project(school)
    with db.session(write=True) as s:
        from bbbms_app.models import Lesson

        other = Lesson(
            school_id=school.school_id,
            class_id=school.class_5a,
            subject_id=school.kyrgyz,
            teacher_id=school.teacher_a,
            term_id=school.term_ids[0],
            date=date(2025, 9, 5),
        )
        s.add(other)
        s.flush()
        lesson_id = other.id
    with pytest.raises(Refused) as err, db.session(write=True) as s:
        projects.assess(s, principal_of("t_classteacher", s), pid, "", {school.pupils_5a[0]: 5}, lesson_id)
    assert err.value.field == "lesson"
    with db.session() as s:
        assert s.exec(select(Achievement).where(Achievement.project_id == pid)).all() == []


# --- the HTTP routes (api/portfolio.py) ----------------------------------------------------------


def _get(url: str, username: str | None = None):
    from starlette.testclient import TestClient

    from bbbms_app.api.portfolio import portfolio_api
    from bbbms_app.services import accounts
    from tests.factories import PASSWORD

    client = TestClient(portfolio_api)
    if username:
        with db.session() as s:
            client.cookies.set("bbbms_session", accounts.authenticate(s, username, PASSWORD).token)
    return client.get(url)


@pytest.mark.usefixtures("private_dir")
def test_the_print_the_public_link_and_the_files_answer_only_their_readers(school):
    me = school.pupils_5a[0]
    shown, hidden = add(title="Шахмат <b>турнири</b>", kind="sport"), add(title="Жашыруун каралама")
    submit(shown)
    review(shown, "t_classteacher")
    with db.session(write=True) as s:
        entry = Entry(kind="certificate", level="school", title="Сертификат", achieved_on=date(2026, 1, 20))
        with_file = portfolio.add(s, principal_of("t_pupil", s), entry, TODAY, evidence=PNG).id
    assert hidden and with_file
    printed = _get(f"/portfolio-print/{me}?lang=ru", "t_classteacher")
    assert printed.status_code == 200
    assert "Шахмат &lt;b&gt;турнири&lt;/b&gt;" in printed.text  # user text is text
    assert "Жашыруун каралама" not in printed.text and "21503201400011" not in printed.text
    assert "Портфолио ученика" in printed.text and "script" not in printed.text.lower()
    assert "default-src 'none'" in printed.headers["content-security-policy"]
    for username in (None, "t_teacher", "t_clerk"):
        assert _get(f"/portfolio-print/{me}", username).status_code == 404, username
    assert _get(f"/portfolio-print/{school.pupils_6b[0]}", "t_parent").status_code == 404
    # The evidence of a draft: the family's only.
    assert _get(f"/private/portfolio/{with_file}", "t_parent").content == PNG
    assert _get(f"/private/portfolio/{with_file}", "t_classteacher").status_code == 404
    assert _get(f"/private/portfolio/{with_file}").status_code == 404
    # The public link: no session; off → 404.
    with db.session(write=True) as s:
        token = portfolio.link_on(s, principal_of("t_parent", s), me)
    public = _get(f"/portfolio-public/{token}?lang=ky")
    assert public.status_code == 200 and "Шахмат" in public.text and "Жашыруун" not in public.text
    assert "14.03.2014" not in public.text and "15.03.2014" not in public.text
    with db.session(write=True) as s:
        portfolio.link_off(s, principal_of("t_pupil", s), me)
    assert _get(f"/portfolio-public/{token}").status_code == 404
    assert _get("/portfolio-public/guessed-token").status_code == 404
    # A project's file: its members, their parents and its supervisor, nobody else (another
    # child's parent: tests/test_project_handlers.py).
    pid = _project(school)
    with db.session(write=True) as s:
        post_id = projects.post(s, principal_of("t_pupil", s), pid, "", PNG, "сүрөт.png").id
    assert _get(f"/private/project-file/{post_id}", "t_classteacher").content == PNG
    assert _get(f"/private/project-file/{post_id}", "t_pupil").status_code == 200
    assert _get(f"/private/project-file/{post_id}", "t_parent").content == PNG
    for username in (None, "t_teacher"):
        assert _get(f"/private/project-file/{post_id}", username).status_code == 404, username


def test_the_marks_summary_is_the_journal_s_year_marks(school):
    from bbbms_app.models import PeriodMark

    me = school.pupils_5a[0]
    with db.session(write=True) as s:
        s.add(
            PeriodMark(
                school_id=school.school_id, pupil_id=me, subject_id=school.math, class_id=school.class_5a,
                academic_year_id=school.year_id, kind="year", value=5,
            )
        )  # fmt: skip
        s.add(
            PeriodMark(
                school_id=school.school_id, pupil_id=me, subject_id=school.kyrgyz, class_id=school.class_5a,
                academic_year_id=school.year_id, kind="quarter", number=1, value=3,
            )
        )  # fmt: skip
    with db.session() as s:
        rows = portfolio.year_marks(s, me, "en")
        assert [(r["year"], r["subject"], r["subject_ky"], r["value"]) for r in rows] == [
            ("2025–2026", "Mathematics", "Математика", "5")
        ]
        assert portfolio.portfolio_of(s, me, "ru", TODAY)["marks"][0]["subject"] == "Математика"
        assert portfolio.year_marks(s, school.pupils_5a[1], "ky") == []


def test_the_marks_summary_follows_the_curriculum_not_the_codes(school):
    """Subjects in the curriculum's order (Subject.position), as on every other list of subjects."""
    from bbbms_app.models import PeriodMark, Subject

    me = school.pupils_5a[0]
    with db.session(write=True) as s:
        s.get(Subject, school.math).position = 1  # before Kyrgyz here, though its code «MATH» sorts after «KY»
        s.get(Subject, school.kyrgyz).position = 2
        for subject, value in ((school.kyrgyz, 4), (school.math, 5)):
            s.add(
                PeriodMark(
                    school_id=school.school_id, pupil_id=me, subject_id=subject, class_id=school.class_5a,
                    academic_year_id=school.year_id, kind="year", value=value,
                )
            )  # fmt: skip
    with db.session() as s:
        assert [r["subject_ky"] for r in portfolio.year_marks(s, me, "ky")] == ["Математика", "Кыргыз тили"]
