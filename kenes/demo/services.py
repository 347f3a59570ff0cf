"""Demo data: labelled demo accounts on the real territory of the pilot district (Бәйтерек by default).

Everything here is keyed on stable usernames, so loading twice changes nothing. People and roles
are written through `kenes.accounts.services` (which audits); this app never invents territory,
it uses what the classifier import loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kenes.accounts import selectors as accounts_selectors
from kenes.accounts import services as accounts_services
from kenes.accounts.models import Role, User
from kenes.core.audit import record_audit
from kenes.core.errors import DomainError
from kenes.core.models import SiteFlag
from kenes.territory.models import District, Okrug, Region, Settlement

DEMO_PASSWORD = "demo12345"  # noqa: S105 - published in the README on purpose: demo logins only.
# Synthetic and checksum-valid: born 1 January 1990, a woman of the 20th century, serial 0001.
DEMO_RESIDENT_IIN = "900101300017"
DEMO_EMAIL_DOMAIN = "kenes-demo.invalid"  # .invalid is reserved: no demo mail can ever leave.


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    role_code: str | None
    scope: str  # "settlement", "okrug", "district", "region" or "" (no territory)
    is_superuser: bool = False


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("demo-admin", "Жүйе әкімшісі (демо)", None, "", is_superuser=True),
    DemoPerson("demo-resident", "Айгүл Сейтқалиева (демо)", Role.RESIDENT, "settlement"),
    DemoPerson("demo-member", "Ерлан Жұмабаев (демо)", Role.COUNCIL_MEMBER, "okrug"),
    DemoPerson("demo-coordinator", "Гүлнар Мұратова (демо)", Role.COORDINATOR, "okrug"),
    DemoPerson("demo-akimat", "Нұрлан Қайыров (демо)", Role.AKIMAT_STAFF, "okrug"),
    DemoPerson("demo-district", "Дәурен Ахметов (демо)", Role.DISTRICT_ADMIN, "district"),
    DemoPerson("demo-oblast", "Сәуле Есенова (демо)", Role.OBLAST_ADMIN, "region"),
    DemoPerson("demo-programme", "Бауыржан Тоқтаров (демо)", Role.PROGRAMME_STAFF, "region"),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    territory: str
    created: bool


@dataclass(frozen=True)
class DemoPlace:
    region: Region
    district: District
    okrug: Okrug
    settlement: Settlement


@dataclass(frozen=True)
class DemoResult:
    place: DemoPlace
    logins: list[DemoLogin]

    @property
    def created_count(self) -> int:
        return sum(1 for login in self.logins if login.created)


def find_demo_place() -> DemoPlace:
    """The pilot district, its first rural okrug that has villages, and that okrug's main village."""
    kato = settings.KENES_PILOT_DISTRICT  # Бәйтерек ауданы (274400000) unless a deployment says otherwise
    district = District.objects.select_related("region").filter(kato=kato, retired_at__isnull=True).first()
    if district is None:
        raise DomainError(
            _(
                "The pilot district (KATO %(kato)s) is not loaded. "
                "Import the territory first: python manage.py import_kato --region %(region)s"
            )
            % {"kato": kato, "region": kato[:2]},
            code="pilot_district_missing",
        )
    region = district.region
    with_villages = Okrug.objects.filter(
        district=district, retired_at__isnull=True, settlements__isnull=False, settlements__retired_at__isnull=True
    ).distinct()
    # A rural okrug is what a council serves; an administration only if the district has none.
    okrug = (
        with_villages.filter(kind=Okrug.Kind.RURAL_OKRUG).order_by("kato").first()
        or with_villages.order_by("kato").first()
    )
    if okrug is None:
        raise DomainError(
            _("The pilot district has no okrugs with settlements: re-import the territory."),
            code="pilot_okrug_missing",
        )
    settlement = Settlement.objects.filter(okrug=okrug, retired_at__isnull=True).order_by("-is_main", "kato").first()
    assert settlement is not None  # the okrug query above required one
    return DemoPlace(region=region, district=district, okrug=okrug, settlement=settlement)


def _scope_of(person: DemoPerson, place: DemoPlace) -> Region | District | Okrug | Settlement | None:
    scopes: dict[str, Region | District | Okrug | Settlement] = {
        "settlement": place.settlement,
        "okrug": place.okrug,
        "district": place.district,
        "region": place.region,
    }
    return scopes.get(person.scope)


def _ensure_user(*, person: DemoPerson) -> tuple[User, bool]:
    user = get_user_model().objects.filter(username=person.username).first()
    if user is not None:
        if not user.is_demo:
            raise DomainError(
                _("A real (non-demo) account already uses the demo username %(username)s; nothing was changed.")
                % {"username": person.username},
                code="demo_username_taken",
            )
        return user, False
    user = accounts_services.register_user(
        username=person.username,
        email=f"{person.username}@{DEMO_EMAIL_DOMAIN}",
        password=DEMO_PASSWORD,
        full_name=person.full_name,
        is_demo=True,
        is_superuser=person.is_superuser,
    )
    return user, True


def _ensure_residency(*, actor: User, user: User, settlement: Settlement) -> None:
    if accounts_selectors.resident_profile_of(user) is not None:
        return
    accounts_services.set_residency(actor=actor, user=user, iin=DEMO_RESIDENT_IIN, settlement=settlement)


@transaction.atomic
def load_demo_data() -> DemoResult:
    """Creates (once) the demo accounts and turns on the demo banner; a second run creates nothing."""
    place = find_demo_place()
    logins: list[DemoLogin] = []
    admin: User | None = None
    for person in DEMO_PEOPLE:
        user, created = _ensure_user(person=person)
        if person.is_superuser:
            admin = user
        actor = admin or user
        scope = _scope_of(person, place)
        if person.role_code == Role.RESIDENT:
            assert isinstance(scope, Settlement)
            # A person declares their own residency: the resident is the actor, as on the site.
            _ensure_residency(actor=user, user=user, settlement=scope)
        elif person.role_code is not None:
            assert isinstance(scope, Region | District | Okrug)
            # Assigning a role already held changes nothing (and writes no audit row).
            accounts_services.assign_role(actor=actor, user=user, role_code=person.role_code, territory=scope)
        role = Role.objects.filter(code=person.role_code).first() if person.role_code else None
        logins.append(
            DemoLogin(
                username=person.username,
                full_name=person.full_name,
                role=role.name_en if role else "superuser",
                territory=f"{scope.name_kk} ({scope.kato})" if scope is not None else "—",
                created=created,
            )
        )
    flag, flag_created = SiteFlag.objects.get_or_create(key=SiteFlag.DEMO_DATA, defaults={"value": "1"})
    if flag_created or flag.value != "1":
        flag.value = "1"
        flag.save(update_fields=["value"])
        record_audit(actor=admin, action="demo.data_loaded", target=flag, after={"value": "1"})
    return DemoResult(place=place, logins=logins)
