"""Amounts in MCI (АЕК / МРП) and their value in tenge, from the dated table of rates (`MciRate`):
a support measure is stated in MCI and is worth what the MCI of its year is worth."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.core.errors import DomainError
from kenes.relocation.models import MciRate, Offer

WHOLE_TENGE = Decimal("1")


def rates_by_year() -> dict[int, Decimal]:
    """Every known rate, by year (one query), for converting many amounts at once."""
    return dict(MciRate.objects.values_list("year", "tenge"))


def mci_rate(year: int) -> Decimal:
    """The MCI of the year in tenge; DomainError "no_mci_rate" (422) when the table has no such year."""
    tenge = MciRate.objects.filter(year=year).values_list("tenge", flat=True).first()
    if tenge is None:
        raise DomainError(_("There is no MCI rate for %(year)s yet.") % {"year": year}, code="no_mci_rate", status=422)
    return tenge


def convert(amount_mci: Decimal, rate: Decimal) -> Decimal:
    """MCI × rate, rounded to whole tenge (half up)."""
    return (Decimal(amount_mci) * Decimal(rate)).quantize(WHOLE_TENGE, rounding=ROUND_HALF_UP)


def mci_to_tenge(amount_mci: Decimal, year: int) -> Decimal:
    """The amount in tenge at the MCI of the year: 2,500 MCI in 2026 are 10,812,500 ₸."""
    return convert(amount_mci, mci_rate(year))


def offer_year(offer: Offer) -> int:
    """The year whose MCI prices the offer: the year it was published, or this year for a draft."""
    if offer.published_at is not None:
        return timezone.localtime(offer.published_at).year
    return timezone.localdate().year


def offer_amount_tenge(offer: Offer, *, rates: dict[int, Decimal] | None = None) -> Decimal | None:
    """A support measure's amount in tenge at the MCI of its year; None for other kinds, for an offer
    with no amount, or when the table has no rate for that year yet. `rates` (from `rates_by_year`)
    saves the query when many offers are shown."""
    if offer.kind != Offer.Kind.SUPPORT or offer.amount_mci is None:
        return None
    year = offer_year(offer)
    if rates is not None:
        rate = rates.get(year)
    else:
        rate = MciRate.objects.filter(year=year).values_list("tenge", flat=True).first()
    if rate is None:
        return None
    return convert(offer.amount_mci, rate)
