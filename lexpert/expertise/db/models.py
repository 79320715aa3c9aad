"""The expertise record (SQLAlchemy 2): drafts, versions, findings, recommendations, users,
and the append-only audit log from which any past state (and so any past KPI) is rebuilt.

Current-state columns (a finding's decision, a draft's status, a recommendation's
incorporation) are what the UI shows; every change to them is also an ``AuditEvent``
(who, when, old, new), and the KPIs "as of" a date read only the events up to it.

A finding's row holds every field of :class:`lexpert.records.Finding` as a column of the
same name (generated from the record: :data:`FINDING_SQL`), the text and span of its norm,
and the expert's decision. A field added to the record is a column here at once, and needs
a migration (``tests/test_record.py`` checks the migrated schema against this mapping).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (JSON, Boolean, Column, DateTime, Float, ForeignKey, Integer, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

from ...records import Finding as FindingRecord
from ...records import Norm, base_type, field_types


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


from .vocab import DECISIONS, DRAFT_STATUSES, INCORPORATION, NOT_ADOPTED_REASONS, REC_KINDS, REC_STATUSES, ROLES

recommendation_findings = Table(
    "recommendation_findings", Base.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    agency: Mapped[str | None] = mapped_column(String(300))
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # a token or session issued before this moment is refused: set on creation, on a password
    # change and when the user is disabled (NULL for users created before migration 0003)
    tokens_valid_after: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RevokedToken(Base):
    """A bearer token or UI session ended by logout (its ``jti``), kept until it would have expired."""

    __tablename__ = "revoked_tokens"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str | None] = mapped_column(String(120))
    revoked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class LoginAttempt(Base):
    """One login try (API token or UI form), shared by every server worker for throttling and lockout."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    ok: Mapped[bool] = mapped_column(Boolean)


class Draft(Base):
    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(60))
    agency: Mapped[str | None] = mapped_column(String(300), index=True)
    sphere: Mapped[str | None] = mapped_column(String(80))
    lang: Mapped[str | None] = mapped_column(String(10))
    portal_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="under_expertise")
    status_reason: Mapped[str | None] = mapped_column(String(60))
    status_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(120))
    versions: Mapped[list["Version"]] = relationship(back_populates="draft", order_by="Version.number",
                                                     cascade="all, delete-orphan")
    recommendations: Mapped[list["Recommendation"]] = relationship(back_populates="draft",
                                                                   cascade="all, delete-orphan")


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))            # draft | revision | adopted
    source_name: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)                  # the normalized text all spans index
    sha256: Mapped[str] = mapped_column(String(64))
    report: Mapped[dict] = mapped_column(JSON)               # the analyze() JSON (without the text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expertise_completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    draft: Mapped[Draft] = relationship(back_populates="versions")
    findings: Mapped[list["Finding"]] = relationship(back_populates="version", cascade="all, delete-orphan",
                                                     order_by="Finding.id")


#: how the fields of :class:`lexpert.records.Finding` are stored: by the field's Python type,
#: or the type given here by name
SQL_BY_TYPE: dict[type, Any] = {str: Text, int: Integer, float: Float, dict: JSON}
FINDING_SQL: dict[str, TypeEngine] = {"norm_id": String(20), "code": String(40), "family": String(20),
                                      "source": String(20)}
#: the fields every stored finding has; the others may be empty (a finding an expert adds by
#: hand may quote no evidence and give no reason)
FINDING_REQUIRED = ("locator", "code", "family", "source")
FINDING_INDEXED = ("code",)


def _record_columns(record: type, sql: dict[str, TypeEngine], required: tuple[str, ...],
                    indexed: tuple[str, ...]) -> type:
    """A declarative mixin with one column per field of the dataclass ``record``, named as the field."""
    cols = {name: mapped_column(sql.get(name, SQL_BY_TYPE[base_type(tp)]), nullable=name not in required,
                                index=name in indexed)
            for name, tp in field_types(record).items()}
    return type(f"{record.__name__}Columns", (), {"__doc__": f"The columns of {record.__qualname__}.", **cols})


FindingColumns = _record_columns(FindingRecord, FINDING_SQL, FINDING_REQUIRED, FINDING_INDEXED)


class Finding(FindingColumns, Base):
    """A finding of a version: the record's fields (:data:`FindingColumns`), its norm's text and
    span, and the expert's decision. :meth:`from_record` and :meth:`to_record` convert."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"), index=True)
    norm_text: Mapped[str] = mapped_column(Text)
    norm_start: Mapped[int | None] = mapped_column(Integer)
    norm_end: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(20), default="pending")
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[Version] = relationship(back_populates="findings")
    recommendations: Mapped[list["Recommendation"]] = relationship(secondary=recommendation_findings,
                                                                   back_populates="findings")

    @classmethod
    def from_record(cls, rec: FindingRecord, norm: Norm, **row: Any) -> "Finding":
        """The row of ``rec`` found in ``norm``; ``row``: the other columns (version, created_at, ...)."""
        return cls(**{k: getattr(rec, k) for k in field_types(FindingRecord)},
                   norm_text=norm.text, norm_start=norm.start, norm_end=norm.end, **row)

    def to_record(self) -> FindingRecord:
        """The record of this row (a finding added by hand may have no evidence: its offsets are None)."""
        return FindingRecord(**{k: getattr(self, k) for k in field_types(FindingRecord)})


class Recommendation(Base):
    __tablename__ = "recommendations"
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    status: Mapped[str] = mapped_column(String(30), default="issued")
    developer_reason: Mapped[str | None] = mapped_column(Text)
    incorporation: Mapped[str] = mapped_column(String(20), default="unknown")
    incorporation_source: Mapped[str | None] = mapped_column(String(20))   # alignment | expert
    incorporation_note: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    issued_by: Mapped[str | None] = mapped_column(String(120))
    draft: Mapped[Draft] = relationship(back_populates="recommendations")
    findings: Mapped[list[Finding]] = relationship(secondary=recommendation_findings,
                                                   back_populates="recommendations")


class AuditEvent(Base):
    """Append-only: one row per change (the service layer never updates or deletes these)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str | None] = mapped_column(String(120))
    entity: Mapped[str] = mapped_column(String(30), index=True)    # draft | version | finding | recommendation | user
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    field: Mapped[str] = mapped_column(String(40))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
