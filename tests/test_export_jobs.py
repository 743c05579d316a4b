"""Whole-school exports as background jobs (services/reports/export_jobs.py): started by a school
leader, built by Huey's own consumer (threads, a real SQLite queue) with its progress on the row,
downloaded through /private/report-export/{id} by its maker only, swept after 24 hours.
The workbooks are read back with openpyxl; the figures are tests/reports_factory.py's."""

from __future__ import annotations

import io
import json
import secrets
import signal
import time
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import db, jobs, settings
from bbbms_app.api.report_exports import report_exports_api
from bbbms_app.jobs import tasks
from bbbms_app.models import AcademicYear, AuditEvent, ExportJob, User
from bbbms_app.pages.report_exports import ExportsState
from bbbms_app.services import accounts, private_files
from bbbms_app.services.engine import marking
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.reports import export_jobs
from tests import reports_factory
from tests.factories import PASSWORD
from tests.states import is_refusal, new_refusals, new_tab, sub  # (imports the app: its states registered)


@pytest.fixture
def queue(school, tmp_path, monkeypatch):
    """The school of reports_factory, its own data folder and SQLite queue, and Huey's consumer (threads)."""
    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BBBMS_QUEUE_URL", raising=False)
    monkeypatch.setenv("BBBMS_QUEUE_NAME", f"test-{secrets.token_hex(3)}")
    settings.reload()
    jobs.reload()
    reports_factory.build(school)
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    consumer = jobs.huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    yield school
    consumer.stop(graceful=True)
    for s, handler in saved.items():
        signal.signal(s, handler)
    jobs.huey.storage.close()


def principal(username: str):
    with db.session() as s:
        user = s.exec(select(User).where(User.username == username)).one()
        return accounts.principal_for(user, session=s)


def start(username: str, kind: str, school, **options) -> int:
    with db.session(write=True) as s:
        job = export_jobs.start(s, principal(username), kind, school.year_id, school.term_ids[0], **options)
        job_id = job.id
    export_jobs.enqueue(job_id)  # type: ignore[arg-type]
    return job_id  # type: ignore[return-value]


def finished(job_id: int, timeout: float = 120) -> ExportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.session() as s:
            job = s.get(ExportJob, job_id)
        if job is not None and job.status in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"export job {job_id} did not finish")


def get(url: str, username: str):
    client = TestClient(report_exports_api)
    with db.session() as s:
        client.cookies.set(settings.SESSION_COOKIE, accounts.authenticate(s, username, PASSWORD).token)
    return client.get(url)


def book_of(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(response.content))


def rows_of(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    rows = ws.iter_rows(min_row=2, values_only=True)
    return [dict(zip(header, r, strict=True)) for r in rows if isinstance(r[0], int)]  # the № column: data rows


def test_results_export_runs_in_the_queue_and_only_its_maker_downloads_it(queue):
    school = queue
    seen: list[int] = []
    real_set = export_jobs._set

    def record(job_id, **fields):  # the progress the page polls: written to the row as the job goes
        if "progress" in fields:
            seen.append(fields["progress"])
        real_set(job_id, **fields)

    export_jobs._set = record  # type: ignore[assignment]
    try:
        job_id = start("t_deputy", "results", school)
        job = finished(job_id)
    finally:
        export_jobs._set = real_set  # type: ignore[assignment]
    assert job.status == "done" and job.progress == 100 and job.error == ""
    assert seen and seen == sorted(seen) and seen[-1] == 100 and len(seen) >= 3
    assert job.file_label == "school-results-quarter1.xlsx"
    url = export_jobs.url(job_id)

    # Another leader, a teacher, an unknown id: the same 404, audited as a denial.
    for other in ("t_director", "t_teacher", "t_classteacher"):
        assert get(url, other).status_code == 404, other
    assert get("/private/report-export/999999", "t_deputy").status_code == 404

    response = get(url, "t_deputy")
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("no-store")
    assert 'filename="school-results-quarter1.xlsx"' in response.headers["content-disposition"]
    book = book_of(response)
    # The school's rows, the school by subject, a sheet per class; no named lists without export.personal.
    assert book.sheetnames == ["Жыйынтыктар", "Предметтер боюнча", "5-А", "5-Б", "6-Б", "10-А", "Мугалимдер боюнча"]
    school_row = next(r for r in rows_of(book["Жыйынтыктар"]) if r["Класс"] == "Мектеп боюнча")
    assert (school_row["Эсепке алынган окуучулар"], school_row["СОУ, %"]) == (8, 57.8)  # as on screen
    c5b = {r["Предмет"]: r for r in rows_of(book["5-Б"])}
    maths = next(v for k, v in c5b.items() if k.startswith("Матем"))
    # 5-Б maths: Токтогулов 3, Асанова 5 (Бекова left, Жумаев exempt): N 2, pass 100 %, quality 50 %.
    assert (maths["Эсепке алынган окуучулар"], maths["«5»"], maths["«3»"]) == (2, 1, 1)
    assert (maths["Үлгүрүү, %"], maths["Билим сапаты, %"]) == (100.0, 50.0)
    with db.session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.entity == "report_export")).all()
    assert [(e.action, e.username) for e in events if e.action != "denied"] == [
        ("export", "t_deputy"),
        ("download", "t_deputy"),
    ]
    assert sum(e.action == "denied" for e in events) == 4

    # After 24 hours: no download, and the clean-up job deletes the file.
    path = private_files.path_of("reports", job.file_name)
    later = datetime.now(UTC) + timedelta(hours=24, minutes=1)
    with db.session() as s, pytest.raises(NotFound):
        export_jobs.open_for(s, principal("t_deputy"), job_id, now=later)
    assert export_jobs.sweep(now=datetime.now(UTC)) == 0 and path.is_file()
    assert export_jobs.sweep(now=later) == 1 and not path.exists()
    with db.session() as s:
        assert s.get(ExportJob, job_id).status == "expired"  # type: ignore[union-attr]
    assert get(url, "t_deputy").status_code == 404
    assert "report_exports" in tasks.clean_up.call_local()


def test_attendance_export_with_named_lists_is_marked_and_needs_the_permission(queue):
    school = queue
    with db.session(write=True) as s, pytest.raises(marking.ExportRefused):  # the deputy may not export names
        export_jobs.start(s, principal("t_deputy"), "attendance", school.year_id, None, named=True, purpose="Отчёт")
    with db.session(write=True) as s, pytest.raises(marking.ExportInvalid):  # a purpose is required
        export_jobs.start(s, principal("t_director"), "attendance", school.year_id, None, named=True, purpose="")
    job_id = start("t_director", "attendance", school, named=True, purpose="Районго отчёт")
    job = finished(job_id)
    assert job.status == "done", job.error
    response = get(export_jobs.url(job_id), "t_director")
    assert response.status_code == 200
    book = book_of(response)
    assert book.sheetnames[0] == "Класстар боюнча" and book.sheetnames[-1] == "Окуучулар боюнча"
    assert book.sheetnames[1:-1] == ["5-А", "5-Б", "6-Б", "10-А"]
    months = rows_of(book["5-А"])
    assert [r["Ай"] for r in months][:2] == ["Сентябрь 2025", "Октябрь 2025"] and months[-1]["Ай"] == "Бардыгы"
    # The class's months add up to the class's row of the first sheet.
    c5a = next(r for r in rows_of(book["Класстар боюнча"]) if r["Класс"] == "5-А")
    missed = next(k for k in c5a if k and k.startswith("Калтырган сабактар") and ":" not in k)
    assert sum(r[missed] for r in months[:-1]) == months[-1][missed] == c5a[missed]
    props = book.properties
    assert "Районго отчёт" in (props.description or "") and props.creator == "t_director"
    last = [c.value for c in book["Окуучулар боюнча"]["A"] if c.value]
    assert any("Районго отчёт" in str(v) for v in last)  # the marking line under the named table
    with db.session() as s:
        exported = s.exec(
            select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.reason == "Районго отчёт")
        ).one()
    assert json.loads(job.params)["stamp"]["audit_id"] == exported.id


def test_who_may_start_and_one_at_a_time(queue):
    school = queue
    for username in ("t_classteacher", "t_teacher", "t_clerk"):  # reports of one class, or none
        with db.session(write=True) as s, pytest.raises(OutOfScope):
            export_jobs.start(s, principal(username), "results", school.year_id, None)
    with db.session(write=True) as s, pytest.raises(Refused):
        export_jobs.start(s, principal("t_director"), "marks", school.year_id, None)
    with db.session(write=True) as s:
        export_jobs.start(s, principal("t_director"), "results", school.year_id, None)  # not enqueued: stays queued
    with db.session(write=True) as s, pytest.raises(Refused) as refused:
        export_jobs.start(s, principal("t_director"), "attendance", school.year_id, None)
    assert refused.value.key == "exports.busy"
    with db.session() as s:
        assert s.exec(select(ExportJob)).all()[0].status == "queued"


async def test_the_card_starts_an_export_and_refuses_forged_events(queue):
    school = queue
    new_refusals()
    teacher = sub(new_tab("t_classteacher"), ExportsState)  # reports of his class only: no card, no start
    assert await teacher.load_exports() is None and not teacher.allowed
    assert is_refusal(await teacher.start(str(school.term_ids[0])))
    assert is_refusal(await sub(new_tab("t_teacher"), ExportsState).start("year"))  # no report.read at all

    deputy = sub(new_tab("t_deputy"), ExportsState)
    await deputy.load_exports()
    assert deputy.allowed and deputy.jobs == []
    await deputy.set_named(True)  # no export.personal: stays off
    assert not deputy.named
    await deputy.set_kind("marks")  # not offered: ignored
    assert deputy.kind == "results"
    assert is_refusal(await deputy.start("999999"))  # a term of no year of his school
    result = await deputy.start(str(school.term_ids[0]))
    assert "watch" in repr(result) and not is_refusal(result)
    job_id = int(deputy.jobs[0]["id"])
    assert finished(job_id).status == "done"
    assert await deputy.load_exports() is None  # nothing left to watch
    row = deputy.jobs[0]
    assert (row["status"], row["url"], row["status_ru"]) == ("done", f"/private/report-export/{job_id}", "Готово")
    director = sub(new_tab("t_director"), ExportsState)
    await director.set_named(True)
    assert director.named
    assert is_refusal(await director.start("year"))  # named lists need a purpose
    assert get(row["url"], "t_deputy").status_code == 200
    fetched = repr(await deputy.download(str(job_id)))
    assert f"/private/report-export/{job_id}" in fetched and "school-results-quarter1.xlsx" in fetched
    assert await deputy.download("424242") is None  # not one of his: nothing


def test_the_terms_journals_and_the_years_marks_are_named_exports(queue):
    school = queue
    with db.session(write=True) as s, pytest.raises(marking.ExportRefused):  # names throughout: export.personal
        export_jobs.start(s, principal("t_deputy"), "journals", school.year_id, school.term_ids[0])
    with db.session(write=True) as s, pytest.raises(Refused) as refused:  # journals are a term's
        export_jobs.start(s, principal("t_director"), "journals", school.year_id, None, purpose="Архив журналдар")
    assert refused.value.key == "exports.journals_term"
    journals = start("t_director", "journals", school, purpose="Архив журналдар")
    job = finished(journals)
    assert (job.status, job.file_label) == ("done", "school-journals-quarter1.xlsx"), job.error
    book = book_of(get(export_jobs.url(journals), "t_director"))
    assert book.sheetnames == ["5-А Кыргыз тили", "5-А Математика", "5-Б Кыргыз тили", "5-Б Математика",
                               "6-Б Кыргыз тили", "6-Б Математика"]  # fmt: skip
    assert "Архив журналдар" in (book.properties.description or "")
    with db.session(write=True) as s:
        marks_job = export_jobs.start(
            s, principal("t_director"), "marks", school.year_id, None, purpose="Жылдык баалар"
        )
        marks_id = marks_job.id
    export_jobs.enqueue(marks_id)  # type: ignore[arg-type]
    assert finished(marks_id).status == "done"  # type: ignore[arg-type]
    sheet = book_of(get(export_jobs.url(marks_id), "t_director")).active  # type: ignore[arg-type]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[6]]
    # The three lesson marks of 5-А maths, then the period marks (18 of quarter 1, 3 of quarter 2, 1 year mark).
    period = [r for r in rows if r["Күнү"] is None]
    assert len([r for r in rows if r["Күнү"] is not None]) == 3 and len(period) == 22
    assert {r["Баа"] for r in period if r["Окуучу"].startswith("Жумаев")} == {"осв", 4}
    assert any("Жылдык баалар" in str(c.value) for c in sheet["A"] if c.value)  # the marking line


async def test_the_card_offers_the_named_kinds_only_to_who_may_export_them(queue):
    deputy = sub(new_tab("t_deputy"), ExportsState)
    await deputy.load_exports()
    assert [o["id"] for o in deputy.kind_options] == ["results", "attendance"]
    await deputy.set_kind("journals")  # not offered to him: ignored
    assert deputy.kind == "results" and not deputy.needs_purpose
    director = sub(new_tab("t_director"), ExportsState)
    await director.load_exports()
    assert [o["id"] for o in director.kind_options] == ["results", "attendance", "journals", "marks", "archive"]
    await director.set_kind("journals")
    assert director.kind == "journals" and director.needs_purpose and not director.named


async def test_the_years_archive_runs_as_an_export_job_from_the_card(queue, tmp_path):
    """«The year's archive» on /reports: asked for with a purpose by a holder of export.personal, audited
    once (the manifest names that event), built by Huey's consumer, downloaded by its maker only; the
    ZIP's manifest hashes match its files."""
    import zipfile

    from bbbms_app.services.reports import archive

    school = queue
    new_refusals()
    deputy = sub(new_tab("t_deputy"), ExportsState)  # report.read, no export.personal
    await deputy.load_exports()
    await deputy.set_kind("archive")  # not offered to him: ignored
    assert deputy.kind == "results"
    with db.session(write=True) as s, pytest.raises(marking.ExportRefused):  # nor by a direct call
        export_jobs.start(s, principal("t_deputy"), "archive", school.year_id, None, purpose="Архив")
    director = sub(new_tab("t_director"), ExportsState)
    await director.load_exports()
    await director.set_kind("archive")
    assert director.kind == "archive" and director.needs_purpose
    assert is_refusal(await director.start("year"))  # the purpose is asked, as the console asks it
    await director.set_purpose("Жылдык архив, 25 жыл сакталат")
    result = await director.start(str(school.term_ids[0]))  # the period shown above: the archive is the year's
    assert "watch" in repr(result) and not is_refusal(result)
    job_id = int(director.jobs[0]["id"])
    job = finished(job_id, timeout=300)
    with db.session() as s:
        year = s.get(AcademicYear, school.year_id).name  # type: ignore[union-attr]
    assert (job.status, job.file_label) == ("done", f"archive-{archive._safe(year)}.zip"), job.error
    assert job.file_name.endswith(".zip") and job.progress == 100, job.error
    response = get(export_jobs.url(job_id), "t_director")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert get(export_jobs.url(job_id), "t_deputy").status_code == 404  # another user: nothing
    out = tmp_path / "archive.zip"
    out.write_bytes(response.content)
    assert archive.verify(out) == []
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read(archive.MANIFEST))
        kinds = {f["kind"] for f in manifest["files"]}
        assert kinds == {"results", "attendance", "journals", "summary", "marks"} and manifest["skipped"] == []
        lists = openpyxl.load_workbook(io.BytesIO(zf.read("results/results-quarter1.xlsx")))["Тизмелер"]
        assert lists.max_row > 3  # the lists name pupils: the archive is a named, marked export
    with db.session() as s:
        asked = s.exec(
            select(AuditEvent).where(AuditEvent.entity == "report_export", AuditEvent.action == "export")
        ).all()
        stray = s.exec(select(AuditEvent).where(AuditEvent.entity == "archive")).all()
    marked = [e for e in asked if e.reason == "Жылдык архив, 25 жыл сакталат"]
    assert len(marked) == 1 and manifest["audit_event_id"] == marked[0].id and stray == []
    assert manifest["purpose"] == "Жылдык архив, 25 жыл сакталат" and manifest["made_by"] == "t_director"
