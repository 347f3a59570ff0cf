"""Every non-trivial read of From City to Village. Protected rows are fetched only through `access_*`
functions, which answer 404 alike for a row that is missing and one the person may not see: an
applicant's existence is never revealed to someone who may not see them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kenes.accounts.models import RoleAssignment
from kenes.accounts.selectors import resident_profile_of
from kenes.relocation.matching import Candidate, Match, facts_of, rank_candidates, rank_offers
from kenes.relocation.models import (
    Applicant,
    Application,
    ApplicationEvent,
    Employer,
    HouseholdMember,
    Move,
    Offer,
    Profession,
)
from kenes.relocation.money import rates_by_year
from kenes.relocation.permissions import (
    STAFF_ROLES,
    can_manage_offer,
    can_see_applicant,
    can_see_application,
    is_programme_staff,
    works_for,
)
from kenes.relocation.services import RETENTION_MARKS, retention_due_on
from kenes.territory.models import District, Okrug

OFFER_RELATED = ("settlement__okrug", "settlement__district", "okrug", "district", "profession", "employer")


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _members(prefix: str = "") -> Prefetch[Any]:
    return Prefetch(f"{prefix}members", queryset=HouseholdMember.objects.select_related("profession").order_by("id"))


# Offers -------------------------------------------------------------------------------------------


def published_offers(
    *,
    district: District | None = None,
    okrug: Okrug | None = None,
    kind: str | None = None,
    profession: Profession | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Offer]:
    """Open offers (published, not past their last day), newest first, with what a list shows."""
    day = today or timezone.localdate()
    rows = Offer.objects.filter(status=Offer.Status.PUBLISHED).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=day)
    )
    if district is not None:
        rows = rows.filter(district=district)
    if okrug is not None:
        rows = rows.filter(okrug=okrug)
    if kind:
        rows = rows.filter(kind=kind)
    if profession is not None:
        rows = rows.filter(profession=profession)
    return rows.select_related(*OFFER_RELATED).order_by("-published_at", "-id")


def get_public_offer(pk: int) -> Offer:
    """A published or closed offer, for anyone; drafts are reached only through `access_offer`."""
    offer = (
        Offer.objects.filter(pk=pk, status__in=(Offer.Status.PUBLISHED, Offer.Status.CLOSED))
        .select_related(*OFFER_RELATED)
        .first()
    )
    if offer is None:
        raise Http404("No such offer.")
    return offer


def access_offer(*, user: Any, pk: int) -> Offer:
    """Any offer (drafts included) for those who manage it; 404 for everyone else."""
    offer = Offer.objects.filter(pk=pk).select_related(*OFFER_RELATED, "published_by").first()
    if offer is None or not can_manage_offer(user, offer):
        raise Http404("No such offer.")
    return offer


def _staff_scopes(user: Any, *, prefix: str = "") -> Q | None:
    """The places where the user holds a staff role, as a filter on rows with `district` and `okrug`
    (None: nowhere)."""
    scopes: Q | None = None
    for assignment in RoleAssignment.objects.filter(user_id=user.pk, role__code__in=STAFF_ROLES):
        if assignment.region_id is not None:
            scope = Q(**{f"{prefix}district__region_id": assignment.region_id})
        elif assignment.district_id is not None:
            scope = Q(**{f"{prefix}district_id": assignment.district_id})
        else:
            scope = Q(**{f"{prefix}okrug_id": assignment.okrug_id})
        scopes = scope if scopes is None else scopes | scope
    return scopes


def offers_managed_by(user: Any) -> QuerySet[Offer]:
    """Offers the person publishes, their employer's, and (for staff) those in their territory."""
    if not _signed_in(user):
        return Offer.objects.none()
    rows = Offer.objects.select_related(*OFFER_RELATED).order_by("-created_at", "-id")
    if user.is_superuser:
        return rows
    mine = Q(published_by_id=user.pk) | Q(employer__users__id=user.pk)
    scopes = _staff_scopes(user)
    if scopes is not None:
        mine |= scopes
    ids = Offer.objects.filter(mine).values("pk")
    return rows.filter(pk__in=ids)


# Applicants and applications --------------------------------------------------------------------------


def _applicants() -> QuerySet[Applicant]:
    return Applicant.objects.select_related("user").prefetch_related(_members(), "wished_districts")


def applicant_of(user: Any) -> Applicant | None:
    """The person's own applicant profile with its household, or None."""
    if not _signed_in(user):
        return None
    return _applicants().filter(user_id=user.pk).first()


def access_applicant(*, user: Any, pk: int) -> Applicant:
    """An applicant's personal data: for themself, programme staff and the managers of an offer they
    applied to; 404 for everyone else (as for one that does not exist)."""
    applicant = _applicants().filter(pk=pk).first()
    if applicant is None or not can_see_applicant(user, applicant):
        raise Http404("No such applicant.")
    return applicant


def _events() -> Prefetch[Any]:
    return Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor").order_by("created_at", "id"))


def applications_of(applicant: Applicant) -> QuerySet[Application]:
    """The applicant's applications, newest first, with their offers and steps."""
    return (
        Application.objects.filter(applicant_id=applicant.pk)
        .select_related(*(f"offer__{name}" for name in OFFER_RELATED), "applicant")
        .prefetch_related(_events())
        .order_by("-created_at", "-id")
    )


def applications_for(offer: Offer) -> QuerySet[Application]:
    """The offer's applications with the applicants' households, for those who manage it."""
    return (
        Application.objects.filter(offer_id=offer.pk)
        .select_related("applicant__user", "offer__settlement")
        .prefetch_related(
            _members("applicant__"),
            "applicant__wished_districts",
            _events(),
        )
        .order_by("-created_at", "-id")
    )


def access_application(*, user: Any, pk: int) -> Application:
    """An application for its applicant, the offer's managers and programme staff; 404 otherwise."""
    application = (
        Application.objects.filter(pk=pk)
        .select_related("applicant__user", *(f"offer__{name}" for name in OFFER_RELATED), "offer__published_by")
        .prefetch_related(
            _members("applicant__"),
            "applicant__wished_districts",
        )
        .first()
    )
    if application is None or not can_see_application(user, application):
        raise Http404("No such application.")
    return application


# Matching -----------------------------------------------------------------------------------------


def matches_for(applicant: Applicant, *, today: datetime.date | None = None) -> list[Match]:
    """Open offers ranked for the household, each with its reasons (a fixed number of queries)."""
    day = today or timezone.localdate()
    loaded = _applicants().get(pk=applicant.pk)
    return rank_offers(facts_of(loaded, today=day), published_offers(today=day), today=day, rates=rates_by_year())


def candidates_for(offer: Offer, *, today: datetime.date | None = None) -> list[Candidate]:
    """Opted-in households (consent standing) the offer suits and who have not applied to it yet,
    anonymised (a fixed number of queries)."""
    day = today or timezone.localdate()
    applicants = (
        Applicant.objects.filter(open_to_offers=True, consent_withdrawn_at__isnull=True)
        .exclude(applications__offer_id=offer.pk)
        .prefetch_related(_members(), "wished_districts")
        .order_by("-created_at", "-id")
    )
    facts = [facts_of(applicant, today=day) for applicant in applicants]
    return rank_candidates(offer, facts, rates=rates_by_year())


# Moves and retention --------------------------------------------------------------------------------


def moves_for(user: Any) -> QuerySet[Move]:
    """The moves to places where the person is staff (a superuser or programme staff: all), newest
    first, with their retention checks."""
    rows = (
        Move.objects.select_related("settlement", "okrug", "district", "applicant__user", "application__offer")
        .prefetch_related("checks")
        .order_by("-moved_on", "-id")
    )
    if not _signed_in(user):
        return rows.none()
    if user.is_superuser:
        return rows
    scopes = _staff_scopes(user)
    if scopes is None:
        return rows.none()
    return rows.filter(scopes)


@dataclass(frozen=True)
class DueCheck:
    move: Move
    months: int
    due_on: datetime.date


def due_retention_checks(today: datetime.date | None = None, *, moves: QuerySet[Move] | None = None) -> list[DueCheck]:
    """The checks at 6 and 12 months that are due and not recorded yet, for households still there
    (of `moves`, default all), earliest first."""
    day = today or timezone.localdate()
    rows = (moves if moves is not None else Move.objects.select_related("settlement")).filter(
        status=Move.Status.STAYING, moved_on__lte=day - datetime.timedelta(days=28 * min(RETENTION_MARKS))
    )
    due: list[DueCheck] = []
    for move in rows.prefetch_related("checks"):
        done = {check.months for check in move.checks.all()}
        for months in RETENTION_MARKS:
            when = retention_due_on(move, months)
            if months not in done and when <= day:
                due.append(DueCheck(move=move, months=months, due_on=when))
    return sorted(due, key=lambda item: (item.due_on, item.move.pk, item.months))


def applications_visible_to(user: Any) -> QuerySet[Application]:
    """The caller's own applications and those to the offers they manage; all for programme staff."""
    found = Application.objects.all()
    if not is_programme_staff(user):
        managed = offers_managed_by(user).values("pk")
        found = found.filter(Q(applicant__user_id=user.pk) | Q(offer__in=managed))
    return found.select_related("offer").prefetch_related("events").order_by("-created_at", "-id")


# Employers ---------------------------------------------------------------------------------------


def employers_awaiting_verification(user: Any) -> QuerySet[Employer]:
    """Registered organisations not checked yet, oldest first: programme staff check them; nobody
    else sees this list."""
    if not is_programme_staff(user):
        return Employer.objects.none()
    return Employer.objects.filter(verified_at__isnull=True).select_related("district").order_by("created_at", "pk")


def verified_employers_seen_by(user: Any) -> QuerySet[Employer]:
    """Verified organisations, newest check first, for programme staff; none for anybody else."""
    if not is_programme_staff(user):
        return Employer.objects.none()
    return Employer.objects.filter(verified_at__isnull=False).select_related("district").order_by("-verified_at", "pk")


def employers_of(user: Any) -> QuerySet[Employer]:
    """The organisations the person works for, checked or not."""
    if not _signed_in(user):
        return Employer.objects.none()
    return Employer.objects.filter(users__id=user.pk).select_related("district").order_by("name", "pk")


def access_employer(*, user: Any, pk: int) -> Employer:
    """An organisation, for programme staff and its own people; 404 for anybody else."""
    found = Employer.objects.filter(pk=pk).select_related("district").first()
    if found is None or not (is_programme_staff(user) or works_for(user, found)):
        raise Http404("No such organisation.")
    return found


def employer_districts(user: Any) -> QuerySet[District]:
    """Districts an organisation may be registered in: those with rural okrugs, within the region of
    the person's declared residence when it is known (else every such district)."""
    rural = District.objects.filter(
        okrugs__kind=Okrug.Kind.RURAL_OKRUG, okrugs__retired_at__isnull=True, retired_at__isnull=True
    )
    rural = rural.distinct().select_related("region").order_by("kato")
    profile = resident_profile_of(user) if _signed_in(user) else None
    if profile is not None:
        nearby = rural.filter(region_id=profile.settlement.district.region_id)
        if nearby.exists():
            return nearby
    return rural
