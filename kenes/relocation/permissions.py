"""Who may do what in From City to Village: pure predicates (a few small queries), one rule per line.

Staff of a place are superusers and those holding programme_staff, akimat_staff, district_admin or
oblast_admin at the place or at a territory containing it. Programme staff (programme_staff or
oblast_admin anywhere) see every applicant. A registered, verified employer's people publish
vacancies and housing. An applicant's personal data is seen by the applicant, programme staff and
the managers of an offer the applicant applied to; nobody else (pages answer 404, never 403).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from kenes.accounts.models import Role, RoleAssignment
from kenes.accounts.selectors import user_has_role
from kenes.relocation.models import Applicant, Application, Employer, Move, Offer
from kenes.territory.models import Settlement

STAFF_ROLES = (Role.PROGRAMME_STAFF, Role.AKIMAT_STAFF, Role.DISTRICT_ADMIN, Role.OBLAST_ADMIN)
PROGRAMME_ROLES = (Role.PROGRAMME_STAFF, Role.OBLAST_ADMIN)
EMPLOYER_KINDS = (Offer.Kind.VACANCY, Offer.Kind.HOUSING)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_programme_staff(user: Any) -> bool:
    """Superusers and programme staff or oblast administrators anywhere: they see every applicant."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(user_id=user.pk, role__code__in=PROGRAMME_ROLES).exists()


def is_staff_for(user: Any, settlement: Settlement) -> bool:
    """Holds a staff role at the settlement's okrug, district or region (or is a superuser)."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return any(user_has_role(user, role, settlement) for role in STAFF_ROLES)


def is_staff_anywhere(user: Any) -> bool:
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(user_id=user.pk, role__code__in=STAFF_ROLES).exists()


def works_for(user: Any, employer: Employer) -> bool:
    """One of the employer's people."""
    if not _signed_in(user):
        return False
    return employer.users.filter(pk=user.pk).exists()


def verified_employers_of(user: Any) -> list[Employer]:
    if not _signed_in(user):
        return []
    return list(Employer.objects.filter(users=user, verified_at__isnull=False).order_by("name", "pk"))


def can_publish_offer(user: Any, settlement: Settlement, kind: str, employer: Employer | None = None) -> bool:
    """Staff of the settlement publish any kind; a verified employer's people publish vacancies and
    housing (for that employer, when one is named)."""
    if not _signed_in(user):
        return False
    if is_staff_for(user, settlement):
        return True
    if kind not in EMPLOYER_KINDS:
        return False
    if employer is not None:
        return employer.verified_at is not None and works_for(user, employer)
    return bool(verified_employers_of(user))


def can_manage_offer(user: Any, offer: Offer) -> bool:
    """Edit, publish, close it and handle its applications: its publisher, its employer's people, or
    staff of its settlement."""
    if not _signed_in(user):
        return False
    if offer.published_by_id == user.pk:
        return True
    if offer.employer_id is not None and offer.employer is not None and works_for(user, offer.employer):
        return True
    return is_staff_for(user, offer.settlement)


def can_see_candidates(user: Any, offer: Offer) -> bool:
    """Opted-in applicants, anonymised, for those who manage the offer."""
    return can_manage_offer(user, offer)


def can_see_applicant(user: Any, applicant: Applicant) -> bool:
    """The applicant themself, programme staff, and the managers of an offer they applied to."""
    if not _signed_in(user):
        return False
    if applicant.user_id == user.pk:
        return True
    if is_programme_staff(user):
        return True
    applications = Application.objects.filter(applicant_id=applicant.pk).select_related(
        "offer__settlement", "offer__employer"
    )
    return any(can_manage_offer(user, application.offer) for application in applications)


def can_see_application(user: Any, application: Application) -> bool:
    """The applicant, the offer's managers, and programme staff."""
    if not _signed_in(user):
        return False
    if application.applicant.user_id == user.pk:
        return True
    if can_manage_offer(user, application.offer):
        return True
    return is_programme_staff(user)


def is_open(offer: Offer, today: datetime.date | None = None) -> bool:
    """Published and not past its last day."""
    day = today or timezone.localdate()
    if offer.status != Offer.Status.PUBLISHED:
        return False
    return offer.expires_on is None or offer.expires_on >= day


def can_apply(user: Any, offer: Offer, today: datetime.date | None = None) -> bool:
    """Signed in, registered as an applicant whose consent stands, and the offer is open."""
    if not _signed_in(user):
        return False
    applicant = Applicant.objects.filter(user_id=user.pk).first()
    if applicant is None:
        return False
    if applicant.consent_withdrawn_at is not None:
        return False
    return is_open(offer, today)


def can_record_move(user: Any, application: Application) -> bool:
    """The offer's managers (staff of its settlement among them), once the application is accepted."""
    if application.status != Application.Status.ACCEPTED:
        return False
    return can_manage_offer(user, application.offer)


def can_record_retention(user: Any, move: Move) -> bool:
    """Staff of the settlement the household moved to, and programme staff."""
    if is_staff_for(user, move.settlement):
        return True
    return is_programme_staff(user)
