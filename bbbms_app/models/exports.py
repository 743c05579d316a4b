"""Whole-school exports made in the background (issue 14 §7; services/reports/export_jobs.py).

An `ExportJob` is one workbook a director or deputy asked for: what (`kind`: the school's results
or attendance of a period), with which choices (`params`, JSON), how far the job is (`status`,
`progress` 0–100), and, once made, the private file (`file_name` under `<data_dir>/private/reports/`,
only its maker downloads it, for 24 hours) or the reason it failed (`error`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import ts_field

EXPORT_STATUSES = ("queued", "running", "done", "failed", "expired")


class ExportJob(SQLModel, table=True):
    """One background export of one user: its choices, progress and file."""

    __table_args__ = (Index("ix_exportjob_user_created", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    user_id: int = Field(foreign_key="user.id")  # the maker: the only one who downloads the file
    kind: str = Field(max_length=20)  # "results" | "attendance"
    params: str = Field(default="{}", max_length=4000)  # JSON: year, term, language, named lists, stamp
    status: str = Field(default="queued", max_length=10)
    progress: int = Field(default=0)  # percent
    file_name: str = Field(default="", max_length=80)  # "<user_id>/<32 hex>.xlsx" under private/reports
    file_label: str = Field(default="", max_length=120)  # the name the browser saves it as
    created_at: datetime = ts_field(default_now=True)
    finished_at: datetime | None = ts_field()
    error: str = Field(default="", max_length=500)
