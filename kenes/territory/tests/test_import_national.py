"""The whole national classifier, imported once for this module (an import costs seconds).

The import runs inside a transaction that is rolled back after the module; each test runs in a
savepoint inside it, so a test may import again without disturbing the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction

from kenes.territory.models import District, Okrug, Region, Settlement, TerritorySource
from kenes.territory.services import ImportResult, import_kato

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "kato" / "kato.csv"

pytestmark = [
    pytest.mark.skipif(not SHARED.is_file(), reason=f"the shared national classifier is not at {SHARED}"),
    pytest.mark.django_db,
]


@pytest.fixture(scope="module")
def national(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[ImportResult]:
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        yield import_kato(path=SHARED)
        transaction.set_rollback(True)


def test_the_national_file_has_twenty_regions(national):
    assert national.rows == 15594
    assert Region.objects.count() == 20
    assert national.created == 15594


def test_west_kazakhstan_has_13_districts_147_rural_okrugs_and_405_main_villages(national):
    region = Region.objects.get(kato="270000000")

    assert District.objects.filter(region=region).count() == 13
    assert Okrug.objects.filter(district__region=region, kind=Okrug.Kind.RURAL_OKRUG).count() == 147
    assert Settlement.objects.filter(district__region=region, is_main=True, area=Settlement.Area.RURAL).count() == 405
    assert District.objects.get(kato="274800000").name_kk == "Қазталов ауданы"


def test_the_58_settlements_coded_under_a_district_have_no_okrug(national):
    under_district = Settlement.objects.filter(kato__regex=r"^[0-9]{4}00[0-9]{3}$")

    assert under_district.count() == 58
    assert not under_district.filter(okrug__isnull=False).exists()


def test_no_raw_dirt_reaches_the_names(national):
    for model in (Region, District, Okrug, Settlement):
        assert not model.objects.filter(name_kk__contains="\u00a0").exists()
        assert not model.objects.filter(name_ru__contains="  ").exists()
    assert not Okrug.objects.filter(name_kk__endswith=" а.о").exists()
    assert not Okrug.objects.filter(name_ru__endswith=" с.о").exists()


def test_a_second_identical_national_import_changes_nothing(national):
    counts = [model.objects.count() for model in (Region, District, Okrug, Settlement)]

    again = import_kato(path=SHARED)

    assert (again.created, again.updated, again.retired) == (0, 0, 0)
    assert [model.objects.count() for model in (Region, District, Okrug, Settlement)] == counts
    assert TerritorySource.objects.count() == 2
