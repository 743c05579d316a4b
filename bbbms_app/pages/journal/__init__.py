"""/journal: the class journal's page (`views`) and its per-tab State (`state`)."""

from __future__ import annotations

from bbbms_app.pages.journal.state import JournalState
from bbbms_app.pages.journal.views import journal_page

__all__ = ["JournalState", "journal_page"]
