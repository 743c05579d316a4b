"""The integration API's clients and their access tokens (issue 19; services/api_clients.py).

An `ApiClient` is a system the director lets read a school's data (an LMS, the online school, a
district dashboard): a name, the school, the scopes it may ask for, and the SHA-256 of its secret.
The secret is 256 random bits shown once; it is hashed with SHA-256, not argon2, because argon2's
cost protects low-entropy passwords from offline guessing, and nothing guesses 256 random bits —
while a slow hash at every token request would hand a stranger a cheap way to load the server.
An `ApiToken` is an opaque bearer token (256 random bits, also stored as its SHA-256 only), issued
for ≤ 15 minutes to one client, for a subset of its scopes and for one audience (this server's
API address), revocable one by one or with its client.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, false, true
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import ts_field


class ApiClient(SQLModel, table=True):
    """A registered API client of one school; `client_id` is public, the secret only as its hash."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    name: str = Field(max_length=120)
    client_id: str = Field(max_length=64, unique=True)
    secret_sha256: str = Field(max_length=64)
    scopes: str = Field(default="", max_length=300)  # space-separated, as in OAuth 2
    active: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    created_by: str = Field(default="", max_length=80)  # the user or console operator who registered it
    created_at: datetime = ts_field(default_now=True)
    revoked_at: datetime | None = ts_field()


class ApiToken(SQLModel, table=True):
    """An access token issued to a client: its SHA-256, scopes, audience, expiry, revocation."""

    __table_args__ = (Index("ix_apitoken_client_expires", "client_id", "expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="apiclient.id")
    token_sha256: str = Field(max_length=64, unique=True)
    scopes: str = Field(default="", max_length=300)
    audience: str = Field(max_length=300)
    issued_at: datetime = ts_field(default_now=True)
    expires_at: datetime = ts_field(nullable=False)
    revoked: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
