"""The standard roles every installation has. Pilots may add their own rows; these seven are seeded
by migration 0002 and re-created by `ensure_standard_roles` (used after a test flushes the tables)."""

from __future__ import annotations

from typing import NamedTuple


class RoleNames(NamedTuple):
    kk: str
    ru: str
    en: str


STANDARD_ROLES: dict[str, RoleNames] = {
    "resident": RoleNames("Тұрғын", "Житель", "Resident"),
    "council_member": RoleNames("Кеңес мүшесі", "Член совета", "Council member"),
    "coordinator": RoleNames("Үйлестіруші депутат", "Депутат-координатор", "Coordinator deputy"),
    "akimat_staff": RoleNames("Әкімдік қызметкері", "Сотрудник акимата", "Akimat staff"),
    "district_admin": RoleNames("Аудан әкімшісі", "Администратор района", "District administrator"),
    "oblast_admin": RoleNames("Облыс әкімшісі", "Администратор области", "Oblast administrator"),
    "programme_staff": RoleNames("Бағдарлама қызметкері", "Сотрудник программы", "Programme staff"),
}
