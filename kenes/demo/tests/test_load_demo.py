from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kenes.accounts.models import ResidentProfile, RoleAssignment, User
from kenes.core.models import AuditEntry, SiteFlag
from kenes.territory.models import District, Okrug, Region, Settlement

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = {
    "demo-admin",
    "demo-resident",
    "demo-member",
    "demo-coordinator",
    "demo-akimat",
    "demo-district",
    "demo-oblast",
    "demo-programme",
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Eight accounts a run: Argon2 would make this module take half a minute."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _unit(model: Any, kato: str, kk: str, ru: str, **fields: Any) -> Any:
    return model.objects.create(
        kato=kato,
        name_kk=kk,
        name_ru=ru,
        short_name_kk=kk.split(" ")[0],
        short_name_ru=ru.split(" ")[0],
        search_text=f"{kk} {ru}".lower(),
        **fields,
    )


@pytest.fixture
def pilot_territory() -> dict[str, object]:
    """The pilot district as the classifier has it: an okrug administration and a rural okrug."""
    region = _unit(Region, "270000000", "Батыс Қазақстан облысы", "Западно-Казахстанская область")
    district = _unit(District, "274400000", "Бәйтерек ауданы", "район Бәйтерек", region=region, type_code=2)
    town = _unit(
        Okrug,
        "274420000",
        "Пример кенті әкімшілігі",
        "Поселковая администрация Пример",
        district=district,
        kind=Okrug.Kind.SETTLEMENT_ADMINISTRATION,
    )
    _unit(Settlement, "274420100", "Пример кенті", "посёлок Пример", district=district, okrug=town, is_main=True)
    okrug = _unit(Okrug, "274430000", "Переметное ауылдық округі", "Переметнинский сельский округ", district=district)
    _unit(Settlement, "274430200", "Забродино ауылы", "село Забродино", district=district, okrug=okrug)
    main = _unit(
        Settlement, "274430100", "Переметное ауылы", "село Переметное", district=district, okrug=okrug, is_main=True
    )
    return {"region": region, "district": district, "okrug": okrug, "settlement": main}


def _counts() -> tuple[int, int, int, int, int]:
    return (
        User.objects.count(),
        RoleAssignment.objects.count(),
        ResidentProfile.objects.count(),
        AuditEntry.objects.count(),
        SiteFlag.objects.count(),
    )


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_it_creates_every_demo_account_labelled_as_demo_with_the_published_password(pilot_territory):
    _load()

    users = User.objects.filter(username__startswith="demo-")
    assert set(users.values_list("username", flat=True)) == DEMO_USERNAMES
    for user in users:
        assert user.is_demo
        assert "(демо)" in user.full_name or "(demo)" in user.full_name
        assert user.check_password("demo12345")
    admin = User.objects.get(username="demo-admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert not User.objects.filter(username__startswith="demo-", is_superuser=True).exclude(pk=admin.pk).exists()


def test_it_scopes_each_role_to_the_pilot_territory(pilot_territory):
    _load()

    def held(username: str) -> set[tuple[str, str]]:
        return {
            (assignment.role.code, assignment.scope.kato)
            for assignment in RoleAssignment.objects.filter(user__username=username).select_related(
                "role", "region", "district", "okrug"
            )
        }

    assert ("coordinator", "274430000") in held("demo-coordinator")
    assert ("akimat_staff", "274430000") in held("demo-akimat")
    assert ("council_member", "274430000") in held("demo-member")
    assert ("district_admin", "274400000") in held("demo-district")
    assert ("oblast_admin", "270000000") in held("demo-oblast")
    assert ("programme_staff", "270000000") in held("demo-programme")


def test_the_demo_resident_lives_in_the_main_village_of_a_rural_okrug_with_a_masked_iin(pilot_territory):
    _load()

    profile = ResidentProfile.objects.select_related("settlement").get(user__username="demo-resident")
    assert profile.settlement.kato == "274430100"
    assert profile.iin_masked == "9001********"
    assert "900101300017" not in profile.iin_digest


def test_a_second_run_creates_nothing_new(pilot_territory):
    _load()
    first = _counts()

    output = _load()

    assert _counts() == first
    assert "0 new demo account(s)" in output


def test_it_writes_people_and_roles_to_the_audit_log(pilot_territory):
    _load()

    demo_users = list(User.objects.filter(is_demo=True).values_list("pk", flat=True))
    audited = AuditEntry.objects.filter(target_type="accounts.user", target_id__in=[str(pk) for pk in demo_users])
    assert audited.exists()
    assert AuditEntry.objects.filter(action="demo.data_loaded").count() == 1


def test_it_prints_the_address_and_a_table_of_logins(pilot_territory, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    output = _load()

    assert "http://127.0.0.1:8000/" in output
    assert "demo12345" in output
    for username in DEMO_USERNAMES:
        assert username in output


def test_the_home_page_shows_the_demo_banner_once_demo_data_is_loaded(pilot_territory):
    client = Client()
    assert b"demo-banner" not in client.get("/").content

    _load()

    response = client.get("/")
    assert response.status_code == 200
    assert b"demo-banner" in response.content


def test_it_refuses_with_a_clear_message_when_the_pilot_district_is_not_loaded():
    with pytest.raises(CommandError, match=r"274400000.*import_kato"):
        _load()

    assert not User.objects.filter(username__startswith="demo-").exists()
    assert not SiteFlag.objects.filter(key="demo_data").exists()


def test_it_never_takes_over_a_real_account_that_uses_a_demo_username(pilot_territory):
    real = User.objects.create_user(username="demo-oblast", password="a-real-password-123")

    with pytest.raises(CommandError, match="demo-oblast"):
        _load()

    real.refresh_from_db()
    assert not real.is_demo
    assert real.check_password("a-real-password-123")
    assert not User.objects.filter(username="demo-resident").exists()
