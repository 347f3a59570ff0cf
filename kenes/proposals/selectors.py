"""Every non-trivial read about proposals, and the access functions that fetch a protected object:
they raise Http404 both when it is missing and when the user may not have it, so a page never tells
a stranger what exists. List reads run in a fixed number of queries, however many rows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from kenes.accounts.models import Role, RoleAssignment
from kenes.core.calendar import WorkingCalendar
from kenes.councils.models import Coordinator, Council
from kenes.proposals.lifecycle import OPEN_STATUSES, PUBLIC_STATUSES
from kenes.proposals.models import Comment, CommentReport, Photo, Proposal, Status, Support, TimelineEvent
from kenes.proposals.permissions import can_edit_draft, can_moderate, can_screen
from kenes.proposals.search import fold, search_proposals
from kenes.territory.models import District, Okrug, Settlement

_LIST_RELATIONS = ("okrug", "okrug__district", "settlement", "author", "council")
_DETAIL_RELATIONS = (
    "okrug__district__region",
    "settlement",
    "author",
    "entered_by",
    "council__charter",
    "merged_into",
)
SORTS = {
    "new": ("-submitted_at", "-id"),
    "supported": ("-support_count", "-submitted_at", "-id"),
}
# The same orders as keys for keyset pages (all descending; the id makes them total).
SORT_KEYS = {name: tuple(key.lstrip("-") for key in keys) for name, keys in SORTS.items()}


def _with_photo_count(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Each proposal's number of photos, as a subquery per row listed: a join grouped over every
    proposal would make the database aggregate all of them before it can take one page."""
    photos = Photo.objects.filter(proposal=OuterRef("pk")).order_by().values("proposal").annotate(n=Count("pk"))
    return proposals.annotate(photo_count=Coalesce(Subquery(photos.values("n"), output_field=IntegerField()), 0))


# Lists ------------------------------------------------------------------------------------------


def list_proposals(
    *,
    okrug: Okrug | int | None = None,
    district: District | int | None = None,
    council: Council | int | None = None,
    area: str | None = None,
    status: str | None = None,
    settlement: Settlement | int | None = None,
    sort: str = "new",
    query: str = "",
) -> QuerySet[Proposal]:
    """Public proposals (never drafts), filtered; `sort` is "new" or "supported"; `query` searches
    title and text (every word, as a word start, any letter case, ё as е)."""
    # Public proposals always have a submission time (a database rule); saying so lets the database use
    # the lists' partial indexes.
    proposals = Proposal.objects.filter(status__in=PUBLIC_STATUSES, submitted_at__isnull=False)
    if okrug is not None:
        proposals = proposals.filter(okrug=okrug)
    if district is not None:
        proposals = proposals.filter(okrug__district=district)
    if council is not None:
        proposals = proposals.filter(council=council)
    if area:
        proposals = proposals.filter(area=area)
    if status:
        proposals = proposals.filter(status=status)
    if settlement is not None:
        proposals = proposals.filter(settlement=settlement)
    if query:
        proposals = search_proposals(proposals, query)
    ordering = SORTS.get(sort, SORTS["new"])
    return _with_photo_count(proposals.select_related(*_LIST_RELATIONS)).order_by(*ordering)


def my_proposals(user: Any) -> QuerySet[Proposal]:
    """What the user wrote, or typed in for a resident (akimat staff), drafts included, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    proposals = Proposal.objects.filter(Q(author_id=user.pk) | Q(entered_by_id=user.pk))
    return _with_photo_count(proposals.select_related(*_LIST_RELATIONS)).order_by("-updated_at", "-id")


def supported_proposal_ids(user: Any, proposals: Iterable[Proposal]) -> set[int]:
    """Which of these proposals the user supports, in one query (for a list's support buttons)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    ids = [proposal.pk for proposal in proposals]
    if not ids:
        return set()
    return set(Support.objects.filter(resident_id=user.pk, proposal_id__in=ids).values_list("proposal_id", flat=True))


def has_supported(user: Any, proposal: Proposal) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Support.objects.filter(resident_id=user.pk, proposal_id=proposal.pk).exists()


# One proposal -----------------------------------------------------------------------------------


def get_public_proposal(pk: int) -> Proposal:
    """A submitted (or later) proposal with what its page shows, or Http404 (drafts too)."""
    proposal = (
        _with_photo_count(Proposal.objects.select_related(*_DETAIL_RELATIONS))
        .filter(pk=pk, status__in=PUBLIC_STATUSES)
        .first()
    )
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


def public_proposal_ref(pk: int) -> Proposal:
    """A public proposal's id, status and support count only, or Http404: for a write whose service
    locks and reads the row itself (a support), where the page's nine joins would be wasted."""
    proposal = Proposal.objects.only("id", "status", "support_count").filter(pk=pk, status__in=PUBLIC_STATUSES).first()
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


def photos_of(proposal: Proposal) -> list[Any]:
    return list(proposal.photos.order_by("id"))


def timeline_of(proposal: Proposal) -> QuerySet[TimelineEvent]:
    """The public steps, oldest first."""
    return (
        TimelineEvent.objects.filter(proposal=proposal).select_related("actor", "related").order_by("created_at", "id")
    )


def comments_of(proposal: Proposal, viewer: Any = None) -> list[Comment]:
    """Top-level comments, oldest first, each with `replies` prefetched (oldest first). A hidden one
    is kept in place: the page shows its public reason instead of the text. Every comment carries
    `open_reports` (for moderators) and `reported_by_viewer`."""
    signed_in = bool(getattr(viewer, "is_authenticated", False))
    viewer_reports = CommentReport.objects.filter(comment=OuterRef("pk"), reporter_id=viewer.pk if signed_in else None)

    def annotated(comments: QuerySet[Comment]) -> QuerySet[Comment]:
        return comments.select_related("author", "hidden_by").annotate(
            open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True), distinct=True),
            reported_by_viewer=Exists(viewer_reports) if signed_in else Exists(CommentReport.objects.none()),
        )

    replies = annotated(Comment.objects.filter(proposal=proposal, parent__isnull=False)).order_by("created_at", "id")
    top_level = annotated(Comment.objects.filter(proposal=proposal, parent__isnull=True)).order_by("created_at", "id")
    return list(top_level.prefetch_related(Prefetch("replies", queryset=replies)))


def comment_count(proposal: Proposal) -> int:
    return Comment.objects.filter(proposal=proposal).count()


# Duplicates -------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
SIMILARITY_THRESHOLD = 0.3
SIMILAR_CANDIDATES = 2000


def _trigrams(text: str) -> set[str]:
    """pg_trgm's way: each word padded with two spaces before and one after, cut into threes.
    Word starts weigh most, so Kazakh endings (жол / жолы / жолдары) still match."""
    grams: set[str] = set()
    for word in _WORD.findall(fold(text)):
        padded = f"  {word} "
        grams.update(padded[index : index + 3] for index in range(len(padded) - 2))
    return grams


def title_similarity(first: str, second: str) -> float:
    """Shared trigrams over all trigrams of both (0 = nothing in common, 1 = the same words)."""
    a, b = _trigrams(first), _trigrams(second)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similar_proposals(
    *, council: Council | int, title: str, exclude: Proposal | int | None = None, limit: int = 5
) -> list[Proposal]:
    """Open proposals of the council whose titles look like `title`, most similar first: shown while
    a resident types, so they may support one instead of filing it again."""
    wanted = _trigrams(title)
    if not wanted or limit <= 0:
        return []
    candidates = (
        Proposal.objects.filter(council=council, status__in=OPEN_STATUSES)
        .select_related("settlement")
        .order_by("-submitted_at", "-id")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=getattr(exclude, "pk", exclude))
    scored: list[tuple[float, Proposal]] = []
    for proposal in candidates[:SIMILAR_CANDIDATES]:
        theirs = _trigrams(proposal.title)
        score = len(wanted & theirs) / len(wanted | theirs) if theirs else 0.0
        if score >= SIMILARITY_THRESHOLD:
            proposal.similarity = score  # type: ignore[attr-defined]
            scored.append((score, proposal))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return [proposal for _score, proposal in scored[:limit]]


# The coordinator's queue ------------------------------------------------------------------------


def coordinated_councils(user: Any) -> QuerySet[Council]:
    """The councils the user coordinates: as their serving coordinator deputy, or through the
    `coordinator` role on an okrug (or a district or region containing it). All for a superuser."""
    if not getattr(user, "is_authenticated", False):
        return Council.objects.none()
    if user.is_superuser:
        return Council.objects.all()
    # The user's own rows first (two small queries), then only the conditions they call for: an OR of
    # subqueries over joined tables made the database read every council of the country.
    scope = Q(
        pk__in=list(
            Coordinator.objects.filter(user_id=user.pk, ended_on__isnull=True).values_list("council_id", flat=True)
        )
    )
    roles = RoleAssignment.objects.filter(user_id=user.pk, role__code=Role.COORDINATOR)
    for okrug_id, district_id, region_id in roles.values_list("okrug_id", "district_id", "region_id"):
        if okrug_id is not None:
            scope |= Q(okrug_id=okrug_id)
        elif district_id is not None:
            scope |= Q(okrug__district_id=district_id)
        elif region_id is not None:
            scope |= Q(okrug__district__region_id=region_id)
    return Council.objects.filter(scope)


def screening_queue(*, user: Any) -> list[tuple[Proposal, int]]:
    """Proposals waiting for screening in the councils the user coordinates, oldest first, each with
    the working days left until its deadline (0 on the last day, negative when it is late)."""
    # The councils first, as ids: given a subquery the database starts from every submitted proposal of
    # the country; given the ids it reads each council's queue from its index.
    council_ids = list(coordinated_councils(user).values_list("pk", flat=True))
    if not council_ids:
        return []
    proposals = list(
        _with_photo_count(
            Proposal.objects.filter(status=Status.SUBMITTED, council_id__in=council_ids).select_related(
                *_LIST_RELATIONS
            )
        ).order_by("submitted_at", "id")
    )
    if not proposals:
        return []
    calendar = WorkingCalendar()
    today = timezone.localdate()
    queue: list[tuple[Proposal, int]] = []
    for proposal in proposals:
        due = proposal.screening_due_on or today
        queue.append((proposal, calendar.working_days_between(today, due)))
    return queue


# Access functions: Http404 for missing and forbidden alike ------------------------------------


def access_draft_for_editing(*, user: Any, pk: int) -> Proposal:
    """A draft or returned proposal its author (or the staff who entered it) may still change."""
    proposal = Proposal.objects.select_related(*_DETAIL_RELATIONS).filter(pk=pk).first()
    if proposal is None or not can_edit_draft(user, proposal):
        raise Http404("No such proposal.")
    return proposal


def access_proposal_for_screening(*, user: Any, pk: int) -> Proposal:
    """Any public proposal of a council the user coordinates (the page offers what its status allows)."""
    proposal = Proposal.objects.select_related(*_DETAIL_RELATIONS).filter(pk=pk, status__in=PUBLIC_STATUSES).first()
    if proposal is None or not can_screen(user, proposal):
        raise Http404("No such proposal.")
    return proposal


def access_comment_for_moderation(*, user: Any, pk: int) -> Comment:
    comment = Comment.objects.select_related("proposal__council", "author", "hidden_by").filter(pk=pk).first()
    if comment is None or not can_moderate(user, comment.proposal):
        raise Http404("No such comment.")
    return comment


def access_comment_for_editing(*, user: Any, pk: int) -> Comment:
    """The user's own comment (whether the 15 minutes are over is the service's to say)."""
    comment = Comment.objects.select_related("proposal", "author").filter(pk=pk).first()
    if comment is None or not getattr(user, "is_authenticated", False) or comment.author_id != user.pk:
        raise Http404("No such comment.")
    return comment


def get_public_comment(pk: int) -> Comment:
    """A comment under a public proposal (for reporting and replying), or Http404."""
    comment = (
        Comment.objects.select_related("proposal__council", "author")
        .filter(pk=pk, proposal__status__in=PUBLIC_STATUSES)
        .first()
    )
    if comment is None:
        raise Http404("No such comment.")
    return comment
