"""Every write about proposals: drafts and photos, the lifecycle's transitions, supports, comments.

Each service is atomic, checks who acts, and writes the audit log; each transition also writes a
public timeline event. A proposal's row is locked (`select_for_update`) before its status or count
changes, always before any support row, so concurrent writers queue instead of losing updates and
never deadlock; the one-support-per-resident rule is the database's unique constraint.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, Model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kenes.accounts.api_auth import invalid_token, not_signed_in
from kenes.accounts.selectors import Caller, callers, touch_api_tokens
from kenes.core.audit import AuditTarget, append_entries, chain_of, new_entry, record_audit
from kenes.core.calendar import add_working_days
from kenes.core.errors import DomainError
from kenes.core.events import publish
from kenes.core.grouped_writes import WriteGroups
from kenes.core.models import AuditEntry
from kenes.core.request_context import current_request_id, reset_request_id, set_request_id
from kenes.core.sql import insert_rows, is_any
from kenes.councils.models import Charter, Council
from kenes.proposals import permissions
from kenes.proposals.lifecycle import (
    MERGE_TARGET_STATUSES,
    PUBLIC_STATUSES,
    SUPPORT_LOCKED_STATUSES,
    check_transition,
)
from kenes.proposals.models import (
    Area,
    Comment,
    CommentReport,
    EntryChannel,
    Language,
    Photo,
    Proposal,
    Status,
    Support,
    TimelineEvent,
)
from kenes.proposals.photos import clean_photo
from kenes.proposals.search import fold
from kenes.territory.models import Settlement

SCREENING_WORKING_DAYS = 3
TITLE_MAX = 200
BODY_MAX = 10_000
REASON_MAX = 2_000
MAX_PHOTOS = 6
COMMENT_MAX = 4_000
REPORT_REASON_MAX = 300
# Comment rate limits, counted over the user's rows in the database: (how many, within).
COMMENT_LIMITS = (
    (5, datetime.timedelta(minutes=10)),
    (30, datetime.timedelta(days=1)),
)
EDITABLE_FIELDS = ("title", "body", "language", "area", "settlement", "estimated_cost")


def _forbidden() -> DomainError:
    return DomainError(_("You may not do this."), code="forbidden", status=403)


def _invalid(message: Any, code: str) -> DomainError:
    return DomainError(message, code=code, status=422)


def _text(value: str, *, limit: int, required: Any, too_long: Any, code: str) -> str:
    text = (value or "").strip()
    if not text:
        raise _invalid(required, f"{code}_required")
    if len(text) > limit:
        raise _invalid(too_long, f"{code}_too_long")
    return text


# Facts for the audit log ------------------------------------------------------------------------


def _proposal_facts(proposal: Proposal) -> dict[str, Any]:
    return {
        "council": proposal.council_id,
        "okrug": proposal.okrug_id,
        "settlement": proposal.settlement_id,
        "author": proposal.author_id,
        "entered_by": proposal.entered_by_id,
        "channel": proposal.channel,
        "title": proposal.title,
        "language": proposal.language,
        "area": proposal.area,
        "estimated_cost": proposal.estimated_cost,
        "status": proposal.status,
        "support_count": proposal.support_count,
    }


def _locked(proposal: Proposal) -> Proposal:
    """The proposal's current row, locked until the transaction ends (only its row: not the council,
    charter and okrug rows joined in, which other proposals' writers need too)."""
    return _locked_by_pk(proposal.pk)


def _locked_by_pk(pk: int) -> Proposal:
    return Proposal.objects.select_for_update(of=("self",)).select_related("council__charter", "okrug").get(pk=pk)


def _copy_back(target: Model, source: Model, fields: tuple[str, ...]) -> None:
    """The caller's instance shows what was written, without another query."""
    for field in fields:
        setattr(target, field, getattr(source, field))


# Drafts -----------------------------------------------------------------------------------------


def _clean_fields(
    *,
    council: Council,
    settlement: Settlement,
    title: str,
    body: str,
    language: str,
    area: str,
    estimated_cost: int | None,
) -> dict[str, Any]:
    if settlement.okrug_id != council.okrug_id or settlement.retired_at is not None:
        raise _invalid(_("Choose a settlement of this okrug."), "settlement_outside_okrug")
    if language not in Language.values:
        raise _invalid(_("Write the proposal in Kazakh or Russian."), "bad_language")
    if area not in Area.values:
        raise _invalid(_("Choose the area the proposal is about."), "bad_area")
    if estimated_cost is not None and (not isinstance(estimated_cost, int) or estimated_cost < 0):
        raise _invalid(_("The estimated cost is a whole number of tenge, zero or more."), "bad_cost")
    clean_title = _text(
        title,
        limit=TITLE_MAX,
        required=_("Give the proposal a title."),
        too_long=_("The title is too long: keep it under 200 characters."),
        code="title",
    )
    clean_body = _text(
        body,
        limit=BODY_MAX,
        required=_("Describe the problem or the idea."),
        too_long=_("The text is too long: keep it under 10,000 characters."),
        code="body",
    )
    return {
        "settlement": settlement,
        "title": clean_title,
        "body": clean_body,
        "language": language,
        "area": area,
        "estimated_cost": estimated_cost,
        "search_text": fold(f"{clean_title} {clean_body}"),
    }


@transaction.atomic
def create_draft(
    *,
    actor: Any,
    council: Council,
    settlement: Settlement,
    title: str,
    body: str,
    language: str,
    area: str,
    estimated_cost: int | None = None,
    on_behalf_of: Any = None,
    channel: str = EntryChannel.ONLINE,
    is_demo: bool = False,
) -> Proposal:
    """A draft by the actor, or, with `on_behalf_of`, one akimat staff type in for a resident who came
    in person or called: the resident is the author, the staff member is recorded as `entered_by`."""
    if on_behalf_of is None:
        if not permissions.can_submit(actor, council):
            raise _forbidden()
        if channel != EntryChannel.ONLINE:
            raise _invalid(_("Only akimat staff enter proposals given in person or by phone."), "bad_channel")
        author, entered_by = actor, None
    else:
        if not permissions.can_enter_on_behalf(actor, council):
            raise _forbidden()
        if channel not in (EntryChannel.IN_PERSON, EntryChannel.PHONE):
            raise _invalid(_("Say whether the resident came in person or called."), "bad_channel")
        if on_behalf_of.pk == actor.pk or not permissions.is_resident_of(on_behalf_of, council.okrug_id):
            raise _invalid(_("The person is not a resident of this okrug."), "not_resident")
        author, entered_by = on_behalf_of, actor
    fields = _clean_fields(
        council=council,
        settlement=settlement,
        title=title,
        body=body,
        language=language,
        area=area,
        estimated_cost=estimated_cost,
    )
    proposal = Proposal.objects.create(
        council=council,
        okrug_id=council.okrug_id,
        author=author,
        entered_by=entered_by,
        channel=channel,
        status=Status.DRAFT,
        is_demo=is_demo,
        **fields,
    )
    TimelineEvent.objects.create(proposal=proposal, kind=TimelineEvent.Kind.CREATED, actor=actor)
    action = "proposal.created" if entered_by is None else "proposal.entered_on_behalf"
    record_audit(actor=actor, action=action, target=proposal, after=_proposal_facts(proposal))
    return proposal


@transaction.atomic
def update_draft(*, actor: Any, proposal: Proposal, **fields: Any) -> Proposal:
    """Changes any of title, body, language, area, settlement, estimated_cost of a draft or a
    returned proposal."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    current = _locked(proposal)
    if not permissions.can_edit_draft(actor, current):
        raise _forbidden()
    before = _proposal_facts(current)
    values = {field: fields.get(field, getattr(current, field)) for field in EDITABLE_FIELDS}
    cleaned = _clean_fields(council=current.council, **values)
    for field, value in cleaned.items():
        setattr(current, field, value)
    current.save(update_fields=[*cleaned, "updated_at"])
    record_audit(actor=actor, action="proposal.edited", target=current, before=before, after=_proposal_facts(current))
    _copy_back(proposal, current, (*EDITABLE_FIELDS, "search_text", "updated_at"))
    return current


@transaction.atomic
def add_photo(*, actor: Any, proposal: Proposal, upload: IO[bytes]) -> Photo:
    """Checks the file by its content, strips its metadata, keeps it upright, makes a thumbnail."""
    current = _locked(proposal)
    if not permissions.can_edit_draft(actor, current):
        raise _forbidden()
    if Photo.objects.filter(proposal=current).count() >= MAX_PHOTOS:
        raise DomainError(
            ngettext(
                "A proposal may have at most %(count)d photo.",
                "A proposal may have at most %(count)d photos.",
                MAX_PHOTOS,
            )
            % {"count": MAX_PHOTOS},
            code="too_many_photos",
        )
    clean = clean_photo(upload)
    stem = uuid.uuid4().hex
    photo = Photo(
        proposal=current,
        width=clean.width,
        height=clean.height,
        size_bytes=len(clean.content),
    )
    photo.image.save(f"{stem}.{clean.extension}", ContentFile(clean.content), save=False)
    photo.thumbnail.save(f"{stem}.{clean.thumbnail_extension}", ContentFile(clean.thumbnail), save=False)
    try:
        photo.save()
        record_audit(
            actor=actor,
            action="proposal.photo_added",
            target=current,
            after={"photo": photo.pk, "width": photo.width, "height": photo.height, "size_bytes": photo.size_bytes},
        )
    except Exception:
        # The row is not written, so the files would be orphans. (Should an enclosing transaction roll
        # back later, they stay: Django has no rollback hook; such files are harmless and unlinked.)
        _delete_files([photo.image.name, photo.thumbnail.name])
        raise
    return photo


def _delete_files(names: list[str | None]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


@transaction.atomic
def remove_photo(*, actor: Any, photo: Photo) -> None:
    current = _locked(photo.proposal)
    if not permissions.can_edit_draft(actor, current):
        raise _forbidden()
    names = [photo.image.name, photo.thumbnail.name]
    deleted, _counts = Photo.objects.filter(pk=photo.pk, proposal=current).delete()
    if not deleted:
        return
    record_audit(actor=actor, action="proposal.photo_removed", target=current, before={"photo": photo.pk})
    # Only once the row is surely gone: a rolled-back removal keeps its files.
    transaction.on_commit(lambda: _delete_files(names))


# Transitions --------------------------------------------------------------------------------------


def _transition(
    *,
    actor: Any,
    current: Proposal,
    target: str,
    kind: str,
    action: str,
    note: str = "",
    related: Proposal | None = None,
    extra: dict[str, Any] | None = None,
) -> Proposal:
    """Moves a locked proposal to `target`: checks the step, saves, writes the timeline and the audit."""
    check_transition(current.status, target)
    before = _proposal_facts(current)
    current.status = target
    for field, value in (extra or {}).items():
        setattr(current, field, value)
    current.save(update_fields=["status", "updated_at", *(extra or {})])
    TimelineEvent.objects.create(
        proposal=current,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
        related=related,
    )
    after = _proposal_facts(current)
    if note:
        after["note"] = note
    if related is not None:
        after["related"] = related.pk
    record_audit(actor=actor, action=action, target=current, before=before, after=after)
    publish("proposal.status_changed", proposal_id=current.pk, status=target)
    return current


def _screened(proposal: Proposal, actor: Any) -> Proposal:
    current = _locked(proposal)
    if not permissions.can_screen(actor, current):
        raise _forbidden()
    return current


def _for_council(proposal: Proposal, actor: Any, *, sitting_checked: bool) -> Proposal:
    """The agenda and the council's decision belong to the sitting: the coordinator may move the
    proposal, and so may whoever the sittings app has checked runs the sitting."""
    if sitting_checked:
        return _locked(proposal)
    return _screened(proposal, actor)


def _reason(reason: str, *, required: bool) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise _invalid(_("Give the reason: the author and the public will read it."), "reason_required")
    if len(text) > REASON_MAX:
        raise _invalid(_("The reason is too long: keep it under 2,000 characters."), "reason_too_long")
    return text


_TRANSITION_FIELDS = ("status", "submitted_at", "screening_due_on", "screened_at", "merged_into", "forwarded_to")


@transaction.atomic
def submit_proposal(*, actor: Any, proposal: Proposal) -> Proposal:
    """Sends a draft (or a returned proposal) for screening: the coordinator has 3 working days."""
    current = _locked(proposal)
    if not permissions.can_edit_draft(actor, current):
        raise _forbidden()
    now = timezone.now()
    _transition(
        actor=actor,
        current=current,
        target=Status.SUBMITTED,
        kind=TimelineEvent.Kind.SUBMITTED,
        action="proposal.submitted",
        extra={
            "submitted_at": now,
            "screening_due_on": add_working_days(timezone.localdate(now), SCREENING_WORKING_DAYS),
            "screened_at": None,
        },
    )
    _copy_back(proposal, current, _TRANSITION_FIELDS)
    return current


@transaction.atomic
def accept_proposal(*, actor: Any, proposal: Proposal) -> Proposal:
    """The coordinator accepts it: residents may now support it."""
    current = _screened(proposal, actor)
    _transition(
        actor=actor,
        current=current,
        target=Status.COLLECTING,
        kind=TimelineEvent.Kind.ACCEPTED,
        action="proposal.accepted",
        extra={"screened_at": timezone.now()},
    )
    _copy_back(proposal, current, _TRANSITION_FIELDS)
    return current


@transaction.atomic
def return_proposal(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """Back to the author with a public reason; the author may edit and submit it again."""
    current = _screened(proposal, actor)
    note = _reason(reason, required=True)
    _transition(
        actor=actor,
        current=current,
        target=Status.RETURNED,
        kind=TimelineEvent.Kind.RETURNED,
        action="proposal.returned",
        note=note,
        extra={"screened_at": timezone.now()},
    )
    _copy_back(proposal, current, _TRANSITION_FIELDS)
    return current


@transaction.atomic
def forward_proposal(*, actor: Any, proposal: Proposal, addressee: str, reason: str = "") -> Proposal:
    """Outside the council's competence: forwarded to the body that decides it, named publicly."""
    current = _screened(proposal, actor)
    to = (addressee or "").strip()
    if not to:
        raise _invalid(_("Name the body the proposal is forwarded to."), "addressee_required")
    if len(to) > 300:
        raise _invalid(_("The addressee is too long: keep it under 300 characters."), "addressee_too_long")
    _transition(
        actor=actor,
        current=current,
        target=Status.FORWARDED,
        kind=TimelineEvent.Kind.FORWARDED,
        action="proposal.forwarded",
        note=_reason(reason, required=False),
        extra={"forwarded_to": to, "screened_at": timezone.now()},
    )
    _copy_back(proposal, current, _TRANSITION_FIELDS)
    return current


def _lock_pair(first: Proposal, second: Proposal) -> tuple[Proposal, Proposal]:
    """Both rows locked in id order, so two merges of the same pair cannot deadlock."""
    rows = {
        row.pk: row
        for row in Proposal.objects.select_for_update(of=("self",))
        .select_related("council__charter", "okrug")
        .filter(pk__in=[first.pk, second.pk])
        .order_by("pk")
    }
    return rows[first.pk], rows[second.pk]


@transaction.atomic
def merge_proposal(*, actor: Any, proposal: Proposal, into: Proposal, reason: str = "") -> Proposal:
    """Closes `proposal` as a duplicate of `into` and moves its supports there. A resident who
    supported both keeps the one support on `into`; the target's author's own support is dropped;
    both counts are then recounted from the rows under the lock."""
    if proposal.pk == into.pk:
        raise _invalid(_("A proposal cannot be merged into itself."), "bad_merge_target")
    current, target = _lock_pair(proposal, into)
    if not permissions.can_screen(actor, current):
        raise _forbidden()
    if target.council_id != current.council_id:
        raise _invalid(_("A proposal can be merged only into one of the same council."), "bad_merge_target")
    if target.status not in MERGE_TARGET_STATUSES:
        raise _invalid(
            _("Merge into a proposal that was accepted and is not decided yet."),
            "bad_merge_target",
        )
    check_transition(current.status, Status.MERGED)
    note = _reason(reason, required=False)

    on_target = Support.objects.filter(proposal=target).values("resident_id")
    dropped, _counts = Support.objects.filter(proposal=current).filter(resident_id__in=on_target).delete()
    dropped_author, _counts = Support.objects.filter(proposal=current, resident_id=target.author_id).delete()
    moved = Support.objects.filter(proposal=current).update(proposal=target, moved_from=current)
    target_before = target.support_count
    target.support_count = Support.objects.filter(proposal=target).count()
    target.save(update_fields=["support_count", "updated_at"])

    _transition(
        actor=actor,
        current=current,
        target=Status.MERGED,
        kind=TimelineEvent.Kind.MERGED,
        action="proposal.merged",
        note=note,
        related=target,
        extra={"merged_into": target, "support_count": 0, "screened_at": current.screened_at or timezone.now()},
    )
    TimelineEvent.objects.create(
        proposal=target, kind=TimelineEvent.Kind.MERGED_IN, actor=actor, note=note, related=current
    )
    record_audit(
        actor=actor,
        action="proposal.merged_in",
        target=target,
        before={"support_count": target_before},
        after={
            "support_count": target.support_count,
            "duplicate": current.pk,
            "supports_moved": moved,
            "supports_dropped": dropped + dropped_author,
        },
    )
    _reach_threshold(current=target)
    _copy_back(proposal, current, (*_TRANSITION_FIELDS, "support_count"))
    _copy_back(into, target, ("status", "support_count"))
    return current


@transaction.atomic
def mark_ready(*, actor: Any, proposal: Proposal) -> Proposal:
    """The coordinator puts a proposal on the list for the agenda before the threshold is reached."""
    current = _screened(proposal, actor)
    _transition(
        actor=actor, current=current, target=Status.READY, kind=TimelineEvent.Kind.READY, action="proposal.ready"
    )
    _copy_back(proposal, current, _TRANSITION_FIELDS)
    return current


@transaction.atomic
def put_on_agenda(*, actor: Any, proposal: Proposal, sitting_checked: bool = False) -> Proposal:
    """`sitting_checked`: the sittings app has already checked that the actor runs this council's
    sitting (its secretary or chair may not be the coordinator)."""
    current = _for_council(proposal, actor, sitting_checked=sitting_checked)
    _transition(
        actor=actor,
        current=current,
        target=Status.ON_AGENDA,
        kind=TimelineEvent.Kind.ON_AGENDA,
        action="proposal.put_on_agenda",
    )
    _copy_back(proposal, current, _TRANSITION_FIELDS)
    return current


@transaction.atomic
def take_off_agenda(*, actor: Any, proposal: Proposal, sitting_checked: bool = False) -> Proposal:
    current = _for_council(proposal, actor, sitting_checked=sitting_checked)
    _transition(
        actor=actor,
        current=current,
        target=Status.READY,
        kind=TimelineEvent.Kind.OFF_AGENDA,
        action="proposal.taken_off_agenda",
    )
    _copy_back(proposal, current, _TRANSITION_FIELDS)
    return current


@transaction.atomic
def record_council_decision(
    *, actor: Any, proposal: Proposal, recommended: bool, reason: str = "", sitting_checked: bool = False
) -> Proposal:
    current = _for_council(proposal, actor, sitting_checked=sitting_checked)
    target, kind = (
        (Status.RECOMMENDED, TimelineEvent.Kind.RECOMMENDED)
        if recommended
        else (Status.DECLINED, TimelineEvent.Kind.DECLINED)
    )
    _transition(
        actor=actor,
        current=current,
        target=target,
        kind=kind,
        action=f"proposal.{target}",
        note=_reason(reason, required=False),
    )
    _copy_back(proposal, current, _TRANSITION_FIELDS)
    return current


# After the recommendation ------------------------------------------------------------------------

ANSWER_STEP_KINDS = frozenset(
    {
        TimelineEvent.Kind.ANSWERED,
        TimelineEvent.Kind.ANSWER_FORWARDED,
        TimelineEvent.Kind.EXTENDED,
        TimelineEvent.Kind.OVERDUE,
        TimelineEvent.Kind.PROGRESS,
        TimelineEvent.Kind.IMPLEMENTED,
    }
)


@transaction.atomic
def note_answer_step(*, actor: Any, proposal: Proposal, kind: str, note: str = "") -> TimelineEvent:
    """Puts a step of the recommendation's answer on the proposal's public timeline (the status
    stays "recommended"); the accountability app calls it, having checked who may act."""
    if kind not in ANSWER_STEP_KINDS:
        raise _invalid(_("This step does not belong on a proposal's timeline."), "invalid_timeline_kind")
    return TimelineEvent.objects.create(
        proposal_id=proposal.pk,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


@transaction.atomic
def reopen_for_agenda(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """The council found the akim's answer unsatisfactory: the proposal is ready for a sitting's
    agenda again. The accountability app has checked that the actor runs the council's sittings."""
    current = _locked(proposal)
    if current.status != Status.RECOMMENDED:
        # "ready" is reachable from other states too; only a recommended proposal is reopened here.
        raise _invalid(
            _("Only a proposal the council recommended can be taken up again after the answer."),
            "illegal_transition",
        )
    _transition(
        actor=actor,
        current=current,
        target=Status.READY,
        kind=TimelineEvent.Kind.UNSATISFACTORY,
        action="proposal.reopened",
        note=_reason(reason, required=True),
    )
    _copy_back(proposal, current, _TRANSITION_FIELDS)
    return current


# Supports ---------------------------------------------------------------------------------------


def _reach_threshold(*, current: Proposal) -> None:
    """A collecting proposal whose count reached the charter's threshold becomes ready by itself."""
    if current.status != Status.COLLECTING:
        return
    threshold = current.council.charter.support_threshold
    if current.support_count < threshold:
        return
    _transition(
        actor=None,
        current=current,
        target=Status.READY,
        kind=TimelineEvent.Kind.READY,
        action="proposal.ready",
        extra={},
    )


@dataclass(frozen=True)
class SupportAsk:
    """One person's support for one proposal, as a request brings it: the person either by id (a
    signed-in session) or by an API token's digest, checked together with the others of its group."""

    proposal_id: int
    user_id: int | None = None
    token_digest: str | None = None
    request_id: str = ""


@dataclass(frozen=True)
class SupportDone:
    proposal_id: int
    support_count: int  # the proposal's count once its group is written
    status: str
    created: bool  # False: the person already supported it (nothing changed)


_SUPPORT_REFUSALS = {
    "not_collecting": lambda: DomainError(_("This proposal is not collecting support now."), code="not_collecting"),
    "own_proposal": lambda: DomainError(_("Authors do not support their own proposals."), code="own_proposal"),
    "not_resident": lambda: DomainError(
        _("Only residents of this okrug can support its proposals."), code="not_resident", status=403
    ),
}


@dataclass
class _Supported:
    """What a group of supports needs of one proposal, read under its row lock."""

    pk: int
    title: str
    status: str
    author_id: int | None
    okrug_id: int
    support_count: int
    support_threshold: int  # its council's charter's


def _lock_proposals(ids: list[int]) -> dict[int, _Supported]:
    """The public ones among these proposals, locked in id order (so two groups, or a group and any
    other proposal writer, queue and never deadlock). Only the proposals' rows are locked: not their
    councils' and charters', which other proposals' writers read too."""
    if not ids:
        return {}
    connection = connections[router.db_for_write(Proposal)]
    quote = connection.ops.quote_name
    table = quote(Proposal._meta.db_table)
    lock = f" FOR UPDATE OF {table}" if connection.features.has_select_for_update_of else ""
    id_is, id_params = is_any(connection, f"{table}.id", ids)
    status_is, status_params = is_any(connection, f"{table}.status", sorted(PUBLIC_STATUSES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {table}.id, {table}.title, {table}.status, {table}.author_id, {table}.okrug_id, "  # noqa: S608
            f"{table}.support_count, "
            f"ch.support_threshold FROM {table} "
            f"JOIN {quote(Council._meta.db_table)} co ON co.id = {table}.council_id "
            f"JOIN {quote(Charter._meta.db_table)} ch ON ch.id = co.charter_id "
            f"WHERE {id_is} AND {status_is} ORDER BY {table}.id{lock}",
            [*id_params, *status_params],
        )
        return {row[0]: _Supported(*row) for row in cursor.fetchall()}


def _insert_supports(pairs: list[tuple[int, int]], now: datetime.datetime) -> set[tuple[int, int]]:
    """Inserts the (proposal, resident) pairs and adds the new ones to their proposals' counts;
    returns the pairs that were not there yet. The database's unique constraint decides: a pair
    already there is left as it is. The proposals must be locked by this transaction already.

    The INSERT is `insert_rows`'s. On PostgreSQL it is a part of one statement with the counts, which
    come from the rows it returned; elsewhere the counts follow as a statement of their own."""
    connection = connections[router.db_for_write(Support)]
    sql, params = insert_rows(
        connection,
        Support,
        ["proposal_id", "resident_id", "created_at"],
        [(proposal, resident, now) for proposal, resident in pairs],
        suffix="ON CONFLICT (proposal_id, resident_id) DO NOTHING RETURNING proposal_id, resident_id",
    )
    counted_here = connection.vendor == "postgresql"
    if counted_here:
        proposals = connection.ops.quote_name(Proposal._meta.db_table)
        sql = (
            f"WITH added AS ({sql}), "  # noqa: S608 - our own statement and table
            f"counted AS (UPDATE {proposals} AS p SET support_count = p.support_count + new.n "
            "FROM (SELECT proposal_id, count(*) AS n FROM added GROUP BY proposal_id) AS new "
            "WHERE p.id = new.proposal_id) "
            "SELECT proposal_id, resident_id FROM added"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = {(proposal, resident) for proposal, resident in cursor.fetchall()}
    if inserted and not counted_here:
        _add_to_counts(Counter(proposal for proposal, _resident in inserted))
    return inserted


def _add_to_counts(counts: Counter[int]) -> None:
    """Adds each proposal's new supports to its count, in one statement (not on PostgreSQL, where
    the INSERT does it)."""
    connection = connections[router.db_for_write(Proposal)]
    table = connection.ops.quote_name(Proposal._meta.db_table)
    ordered = sorted(counts.items())
    id_is, id_params = is_any(connection, "id", [pk for pk, _count in ordered])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET support_count = support_count + CASE id "  # noqa: S608 - our own table
            f"{' '.join(['WHEN %s THEN %s'] * len(ordered))} END WHERE {id_is}",
            [*(value for pair in ordered for value in pair), *id_params],
        )


@transaction.atomic
def apply_supports(asks: Sequence[SupportAsk]) -> list[SupportDone | Exception]:
    """Writes a group of supports in one transaction, each checked as if it came alone, and gives
    each ask its outcome or its error, in order (decision 0013). One support per resident;
    supporting again changes nothing. Reaching the charter's threshold makes a proposal ready.

    A fixed number of statements, however many asks, each a plain one (the ORM's compiling cost
    more than the database's work here): who the callers are and where they live; the proposals,
    locked; one INSERT of the new supports and the counts (one statement on PostgreSQL); the audit
    entries, appended to one chain.
    Nothing is written when a statement fails: every ask of the group then gets that error."""
    # Everything the group audits goes to one chain: a transaction locks one head (kenes.core.audit).
    context = set_request_id(asks[0].request_id if asks else current_request_id())
    try:
        return _apply_supports(asks)
    finally:
        reset_request_id(context)


def _apply_supports(asks: Sequence[SupportAsk]) -> list[SupportDone | Exception]:
    now = timezone.now()
    by_digest, by_id = callers(
        digests={ask.token_digest for ask in asks if ask.token_digest is not None},
        user_ids={ask.user_id for ask in asks if ask.token_digest is None and ask.user_id is not None},
        now=now,
    )
    # An id no row can have (a client may send any number) is simply not found, as the ORM would say.
    largest = connections[router.db_for_write(Proposal)].ops.integer_field_range("BigIntegerField")[1]
    proposals = _lock_proposals(sorted({ask.proposal_id for ask in asks if 0 < ask.proposal_id <= largest}))
    # First pass: who may support what. An outcome is an error, or the (proposal, caller) pair.
    checked: list[tuple[_Supported, Caller] | Exception] = []
    refused: dict[tuple[int, int], str] = {}  # the refusal's code (each caller raises its own error)
    for ask in asks:
        caller = by_digest.get(ask.token_digest) if ask.token_digest is not None else by_id.get(ask.user_id or 0)
        proposal = proposals.get(ask.proposal_id)
        if caller is None:
            checked.append(invalid_token() if ask.token_digest is not None else not_signed_in())
        elif proposal is None:
            checked.append(Http404("No such proposal."))
        else:
            checked.append((proposal, caller))
            refusal = permissions.support_refusal(
                status=proposal.status,
                is_author=caller.pk == proposal.author_id,
                is_resident=caller.okrug_id == proposal.okrug_id,
            )
            if refusal is not None:
                refused[(proposal.pk, caller.pk)] = refusal
    # A refused person who supported before (the proposal moved on, or they moved away) keeps it.
    if refused:
        already = Support.objects.filter(
            proposal_id__in={pair[0] for pair in refused}, resident_id__in={pair[1] for pair in refused}
        ).values_list("proposal_id", "resident_id")
        for pair in set(already) & set(refused):
            del refused[pair]
    wanted = list(
        dict.fromkeys(
            (item[0].pk, item[1].pk)
            for item in checked
            if not isinstance(item, Exception) and (item[0].pk, item[1].pk) not in refused
        )
    )
    inserted = _insert_supports(wanted, now) if wanted else set()
    # Second pass: counts and audit entries in the asks' order; a pair asked twice counts once.
    entries: list[AuditEntry] = []
    outcomes: list[tuple[int, bool] | Exception] = []
    counted: set[tuple[int, int]] = set()
    for ask, item in zip(asks, checked, strict=True):
        if isinstance(item, Exception):
            outcomes.append(item)
            continue
        proposal, caller = item
        pair = (proposal.pk, caller.pk)
        if pair in refused:
            outcomes.append(_SUPPORT_REFUSALS[refused[pair]]())
        elif pair in inserted and pair not in counted:
            counted.add(pair)
            proposal.support_count += 1
            entries.append(
                new_entry(
                    actor=caller,
                    action="proposal.supported",
                    target=AuditTarget(Proposal._meta.label_lower, str(proposal.pk), proposal.title),
                    after={"support_count": proposal.support_count},
                    request_id=ask.request_id,
                )
            )
            outcomes.append((proposal.pk, True))
        else:
            outcomes.append((proposal.pk, False))
    if counted:
        append_entries(entries, chain=chain_of(current_request_id()))
        for pk in sorted({pk for pk, _resident in counted}):
            supported = proposals[pk]
            if supported.status == Status.COLLECTING and supported.support_count >= supported.support_threshold:
                current = _locked_by_pk(pk)
                _reach_threshold(current=current)
                supported.status = current.status
    stale = [caller.token_id for caller in by_digest.values() if caller.token_is_stale and caller.token_id]
    if stale:
        transaction.on_commit(lambda: touch_api_tokens(stale, now), robust=True)
    return [
        outcome
        if isinstance(outcome, Exception)
        else SupportDone(
            proposal_id=outcome[0],
            support_count=proposals[outcome[0]].support_count,
            status=proposals[outcome[0]].status,
            created=outcome[1],
        )
        for outcome in outcomes
    ]


supports = WriteGroups("supports", apply_supports, model=Proposal)


def submit_support(
    *, proposal_id: int, actor: Any = None, token_digest: str | None = None, grouped: bool = True
) -> SupportDone:
    """One support from a request (a signed-in person, or an API token's digest not checked yet):
    written with the other requests' supports of the moment in one transaction (decision 0013), or
    alone when `grouped` is False. Raises the ask's error: DomainError, or Http404."""
    ask = SupportAsk(
        proposal_id=proposal_id,
        user_id=getattr(actor, "pk", None) if token_digest is None else None,
        token_digest=token_digest,
        request_id=current_request_id(),
    )
    if grouped:
        return supports.submit(ask)
    outcome = apply_supports([ask])[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def support_proposal(*, actor: Any, proposal: Proposal) -> SupportDone:
    """One person's support, written at once in its own transaction (or the caller's). Copies the
    count and status back into `proposal`."""
    outcome = submit_support(proposal_id=proposal.pk, actor=actor, grouped=False)
    proposal.support_count = outcome.support_count
    proposal.status = outcome.status
    return outcome


@transaction.atomic
def withdraw_support(*, actor: Any, proposal: Proposal) -> None:
    """Takes the resident's support back; withdrawing one that is not there changes nothing. Once the
    proposal is on an agenda the supports stay as the council saw them."""
    current = _locked(proposal)
    if current.status in SUPPORT_LOCKED_STATUSES:
        raise DomainError(
            _("The proposal is already on a sitting's agenda: supports can no longer be withdrawn."),
            code="support_locked",
        )
    deleted, _counts = Support.objects.filter(proposal=current, resident_id=getattr(actor, "pk", None)).delete()
    if not deleted:
        return
    Proposal.objects.filter(pk=current.pk).update(support_count=F("support_count") - 1)
    current.support_count = Proposal.objects.values_list("support_count", flat=True).get(pk=current.pk)
    record_audit(
        actor=actor,
        action="proposal.support_withdrawn",
        target=current,
        after={"support_count": current.support_count},
    )
    _copy_back(proposal, current, ("support_count",))


# Comments ---------------------------------------------------------------------------------------


def _check_comment_rate(actor: Any, now: datetime.datetime) -> None:
    for limit, window in COMMENT_LIMITS:
        since = now - window
        times = list(
            Comment.objects.filter(author_id=actor.pk, created_at__gt=since)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:limit]
        )
        if len(times) < limit:
            continue
        # The oldest of the last `limit` comments leaves the window first.
        free_at = times[-1] + window
        minutes = max(1, int((free_at - now).total_seconds() // 60) + 1)
        raise DomainError(
            ngettext(
                "You have written many comments in a short time: try again in %(minutes)d minute.",
                "You have written many comments in a short time: try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            code="rate_limited",
            status=429,
        )


def _comment_body(body: str) -> str:
    return _text(
        body,
        limit=COMMENT_MAX,
        required=_("Write the comment first."),
        too_long=_("The comment is too long: keep it under 4,000 characters."),
        code="comment",
    )


@transaction.atomic
def add_comment(*, actor: Any, proposal: Proposal, body: str, parent: Comment | None = None) -> Comment:
    """A comment, or a reply to a top-level one. At most 5 per user in 10 minutes and 30 a day."""
    if not permissions.can_comment(actor, proposal):
        raise _forbidden()
    text = _comment_body(body)
    if parent is not None:
        if parent.proposal_id != proposal.pk:
            raise _invalid(_("Reply to a comment under this proposal."), "bad_parent")
        if parent.parent_id is not None:
            raise _invalid(_("Reply to the first comment of the thread: replies have no replies."), "reply_depth")
    # Lock the author's row: two comments sent at once are counted one after the other.
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    now = timezone.now()
    _check_comment_rate(actor, now)
    comment = Comment.objects.create(proposal=proposal, author=actor, parent=parent, body=text)
    record_audit(
        actor=actor,
        action="comment.added",
        target=comment,
        after={"proposal": proposal.pk, "parent": parent.pk if parent else None, "body": text},
    )
    return comment


@transaction.atomic
def edit_comment(*, actor: Any, comment: Comment, body: str) -> Comment:
    current = Comment.objects.select_for_update().get(pk=comment.pk)
    if not permissions.can_edit_comment(actor, current):
        if getattr(actor, "pk", None) == current.author_id and current.hidden_at is None:
            raise DomainError(_("Comments can be edited only in the first 15 minutes."), code="edit_window_closed")
        raise _forbidden()
    before = {"body": current.body}
    current.body = _comment_body(body)
    current.edited_at = timezone.now()
    current.save(update_fields=["body", "edited_at"])
    record_audit(actor=actor, action="comment.edited", target=current, before=before, after={"body": current.body})
    _copy_back(comment, current, ("body", "edited_at"))
    return current


@transaction.atomic
def report_comment(*, actor: Any, comment: Comment, reason: str) -> CommentReport:
    if not permissions.can_report_comment(actor, comment):
        raise _forbidden()
    text = _text(
        reason,
        limit=REPORT_REASON_MAX,
        required=_("Say what is wrong with the comment."),
        too_long=_("The reason is too long: keep it under 300 characters."),
        code="reason",
    )
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(comment=comment, reporter=actor, reason=text)
    except IntegrityError as error:
        raise DomainError(_("You have already reported this comment."), code="already_reported") from error
    record_audit(actor=actor, action="comment.reported", target=comment, after={"reason": text})
    return report


@transaction.atomic
def hide_comment(*, actor: Any, comment: Comment, reason: str) -> Comment:
    """The coordinator hides a comment; the public reason is shown in its place, reports are closed."""
    current = Comment.objects.select_for_update().select_related("proposal__council").get(pk=comment.pk)
    if not permissions.can_moderate(actor, current.proposal):
        raise _forbidden()
    text = _text(
        reason,
        limit=300,
        required=_("Give the reason: it is shown in place of the comment."),
        too_long=_("The reason is too long: keep it under 300 characters."),
        code="reason",
    )
    now = timezone.now()
    before = {"hidden_reason": current.hidden_reason, "hidden": current.hidden_at is not None}
    current.hidden_at = now
    current.hidden_by = actor
    current.hidden_reason = text
    current.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    resolved = CommentReport.objects.filter(comment=current, resolved_at__isnull=True).update(resolved_at=now)
    record_audit(
        actor=actor,
        action="comment.hidden",
        target=current,
        before=before,
        after={"hidden_reason": text, "reports_resolved": resolved},
    )
    _copy_back(comment, current, ("hidden_at", "hidden_by", "hidden_reason"))
    return current


@transaction.atomic
def unhide_comment(*, actor: Any, comment: Comment) -> Comment:
    current = Comment.objects.select_for_update().select_related("proposal__council").get(pk=comment.pk)
    if not permissions.can_moderate(actor, current.proposal):
        raise _forbidden()
    if current.hidden_at is None:
        return current
    before = {"hidden_reason": current.hidden_reason, "hidden_by": current.hidden_by_id}
    current.hidden_at = None
    current.hidden_by = None
    current.hidden_reason = ""
    current.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    record_audit(actor=actor, action="comment.unhidden", target=current, before=before, after={"hidden": False})
    _copy_back(comment, current, ("hidden_at", "hidden_by", "hidden_reason"))
    return current


def describe_rate_limit() -> str:
    """The rule in words, for the comment form's help text."""
    return gettext("At most 5 comments in 10 minutes and 30 a day.")
