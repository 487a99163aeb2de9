"""Repository functions for applications, the register, staff roles, the audit log and
pending inputs. They never commit."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import (
    OPEN_STATUSES,
    Application,
    ApplicationNote,
    ApplicationStatus,
    AuditEntry,
    Member,
    StaffRole,
)

ANONYMISED = "[raderad]"  # what replaces a contact person's data after /deletemydata


async def current_draft(session: AsyncSession, user_id: int) -> Application | None:
    return await session.scalar(
        select(Application)
        .where(Application.applicant_id == user_id, Application.status == ApplicationStatus.DRAFT)
        .order_by(Application.id.desc())
        .limit(1)
    )


async def start_draft(
    session: AsyncSession, user_id: int, language: str, step: str, now: datetime
) -> Application:
    draft = Application(
        applicant_id=user_id,
        language=language,
        status=ApplicationStatus.DRAFT,
        step=step,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    await session.flush()
    return draft


async def get_application(session: AsyncSession, application_id: int) -> Application | None:
    """An application with its notes (the reviewers' card shows them)."""
    return (await applications_by_id(session, {application_id})).get(application_id)


async def applications_by_id(session: AsyncSession, ids: set[int]) -> dict[int, Application]:
    """Applications with their notes (the reviewers' cards show them)."""
    if not ids:
        return {}
    found = await session.scalars(
        select(Application)
        .where(Application.id.in_(ids))
        .options(selectinload(Application.notes))
        .execution_options(populate_existing=True)
    )
    return {application.id: application for application in found}


async def open_with_number(
    session: AsyncSession, org_number: str, exclude: int | None = None
) -> Application | None:
    """A submitted application for this organisation number that is not yet decided."""
    query = select(Application).where(
        Application.org_number == org_number, Application.status.in_(OPEN_STATUSES)
    )
    if exclude is not None:
        query = query.where(Application.id != exclude)
    return await session.scalar(query.limit(1))


async def member_with_number(session: AsyncSession, org_number: str) -> Member | None:
    return await session.scalar(select(Member).where(Member.org_number == org_number))


async def submit(
    session: AsyncSession, application: Application, reference: str, now: datetime
) -> bool:
    """Submit a draft; False if another application for the same organisation number was
    submitted at the same moment (the database's unique index decides)."""
    try:
        async with session.begin_nested():
            application.status = ApplicationStatus.SUBMITTED
            application.reference = reference
            application.step = None
            application.submitted_at = application.updated_at = now
            await session.flush()
    except IntegrityError:
        await session.refresh(application)
        return False
    return True


async def decide(
    session: AsyncSession,
    application_id: int,
    status: ApplicationStatus,
    reviewer_id: int,
    *,
    reason: str | None,
    now: datetime,
) -> bool:
    """Approve or reject, once: only the first of two racing reviewers changes the row."""
    result = await session.execute(
        update(Application)
        .where(Application.id == application_id, Application.status.in_(OPEN_STATUSES))
        .values(
            status=status,
            decided_at=now,
            decided_by=reviewer_id,
            decision_reason=reason,
            updated_at=now,
        )
        .returning(Application.id)
    )
    return result.first() is not None


async def set_status(
    session: AsyncSession,
    application_id: int,
    status: ApplicationStatus,
    *,
    was: Collection[ApplicationStatus],
    now: datetime,
) -> bool:
    """Move the application to `status` if it is in one of `was`; False if it was not."""
    result = await session.execute(
        update(Application)
        .where(Application.id == application_id, Application.status.in_(was))
        .values(status=status, updated_at=now)
        .returning(Application.id)
    )
    return result.first() is not None


async def pending_applications(session: AsyncSession) -> Sequence[Application]:
    """Submitted applications awaiting a decision, oldest first."""
    rows = await session.scalars(
        select(Application)
        .where(Application.status.in_(OPEN_STATUSES))
        .order_by(Application.submitted_at, Application.id)
    )
    return rows.all()


async def all_applications(session: AsyncSession) -> Sequence[Application]:
    rows = await session.scalars(
        select(Application)
        .where(Application.status != ApplicationStatus.DRAFT)
        .order_by(Application.id)
    )
    return rows.all()


async def user_applications(session: AsyncSession, user_id: int) -> Sequence[Application]:
    rows = await session.scalars(
        select(Application).where(Application.applicant_id == user_id).order_by(Application.id)
    )
    return rows.all()


async def add_note(
    session: AsyncSession,
    application_id: int,
    author: str,
    author_id: int | None,
    text: str,
    *,
    now: datetime,
) -> None:
    session.add(
        ApplicationNote(
            application_id=application_id,
            author=author,
            author_id=author_id,
            text=text,
            created_at=now,
        )
    )
    await session.flush()


async def add_member(
    session: AsyncSession,
    *,
    name: str,
    org_number: str | None,
    area: str | None,
    joined_on: date,
    joined_via: str,
    public: bool,
    application_id: int | None = None,
    contact_id: int | None = None,
) -> Member:
    member = Member(
        name=name,
        org_number=org_number,
        area=area,
        joined_on=joined_on,
        joined_via=joined_via,
        public=public,
        application_id=application_id,
        contact_id=contact_id,
    )
    session.add(member)
    await session.flush()
    return member


async def members(
    session: AsyncSession, *, public_only: bool, offset: int = 0, limit: int | None = None
) -> Sequence[Member]:
    """The register, by name; `public_only`: the part anyone may see (public, not left)."""
    query = select(Member).order_by(func.lower(Member.name), Member.id).offset(offset)
    if public_only:  # the public register: shown, and not removed (left_on)
        query = query.where(Member.public.is_(True), Member.left_on.is_(None))
    if limit is not None:
        query = query.limit(limit)
    return (await session.scalars(query)).all()


async def open_register(session: AsyncSession) -> Sequence[Member]:
    """The register as open data: organisations that agreed to be public and have not
    left, in name order."""
    query = (
        select(Member)
        .where(Member.public.is_(True), Member.left_on.is_(None))
        .order_by(func.lower(Member.name), Member.id)
    )
    return (await session.scalars(query)).all()


async def count_members(session: AsyncSession, *, public_only: bool) -> int:
    query = select(func.count()).select_from(Member)
    if public_only:
        query = query.where(Member.public.is_(True), Member.left_on.is_(None))
    return int(await session.scalar(query) or 0)


async def staff_role(session: AsyncSession, user_id: int) -> str | None:
    return await session.scalar(select(StaffRole.role).where(StaffRole.user_id == user_id))


async def reviewer_ids(session: AsyncSession) -> list[int]:
    return list((await session.scalars(select(StaffRole.user_id))).all())


async def grant_role(session: AsyncSession, user_id: int, role: str) -> None:
    existing = await session.get(StaffRole, user_id)
    if existing:
        existing.role = role
    else:
        session.add(StaffRole(user_id=user_id, role=role))
    await session.flush()


async def revoke_role(session: AsyncSession, user_id: int) -> bool:
    result = await session.execute(
        delete(StaffRole).where(StaffRole.user_id == user_id).returning(StaffRole.user_id)
    )
    return result.first() is not None


async def audit(
    session: AsyncSession,
    actor_id: int | None,
    action: str,
    subject: str,
    detail: str | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """One line of the audit log; `at` defaults to the wall clock (the bot's domain passes
    its own clock, so tests that move time see it)."""
    entry = AuditEntry(actor_id=actor_id, action=action, subject=subject, detail=detail)
    if at is not None:
        entry.at = at
    session.add(entry)
    await session.flush()


async def purge_drafts(session: AsyncSession, older_than: datetime) -> int:
    """Delete drafts nobody touched since `older_than`; returns how many."""
    result = await session.execute(
        delete(Application)
        .where(Application.status == ApplicationStatus.DRAFT, Application.updated_at < older_than)
        .returning(Application.id)
    )
    return len(result.all())


async def forget_applicant(session: AsyncSession, user_id: int) -> int:
    """Erase a person from their applications: drafts go; submitted ones keep the
    organisation's data the municipality must keep, with the contact person anonymised."""
    await session.execute(
        delete(Application).where(
            Application.applicant_id == user_id, Application.status == ApplicationStatus.DRAFT
        )
    )
    result = await session.execute(
        update(Application)
        .where(Application.applicant_id == user_id)
        .values(
            applicant_id=None,
            contact_name=ANONYMISED,
            contact_role=None,
            email=None,
            phone=None,
        )
        .returning(Application.id)
    )
    return len(result.all())
