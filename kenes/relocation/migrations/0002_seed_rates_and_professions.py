"""The MCI of 2025 and 2026 (laws on the republican budget) and a first catalogue of professions
villages ask for; staff add more in the admin. Idempotent: existing rows are left as they are."""

from decimal import Decimal

from django.db import migrations

MCI = {2025: Decimal("3932"), 2026: Decimal("4325")}

PROFESSIONS = [
    ("teacher", "Мұғалім", "Учитель", "Teacher"),
    ("doctor", "Дәрігер", "Врач", "Doctor"),
    ("nurse", "Мейірбике", "Медсестра", "Nurse"),
    ("veterinarian", "Ветеринар", "Ветеринар", "Veterinarian"),
    ("agronomist", "Агроном", "Агроном", "Agronomist"),
    ("zootechnician", "Зоотехник", "Зоотехник", "Livestock specialist"),
    ("machine_operator", "Механизатор", "Механизатор", "Machine operator"),
    ("tractor_driver", "Тракторшы", "Тракторист", "Tractor driver"),
    ("driver", "Жүргізуші", "Водитель", "Driver"),
    ("electrician", "Электрик", "Электрик", "Electrician"),
    ("plumber", "Сантехник", "Сантехник", "Plumber"),
    ("builder", "Құрылысшы", "Строитель", "Builder"),
    ("accountant", "Бухгалтер", "Бухгалтер", "Accountant"),
    ("cook", "Аспаз", "Повар", "Cook"),
    ("kindergarten_teacher", "Тәрбиеші", "Воспитатель", "Kindergarten teacher"),
    ("social_worker", "Әлеуметтік қызметкер", "Социальный работник", "Social worker"),
    ("livestock_worker", "Малшы", "Животновод", "Livestock worker"),
    ("culture_worker", "Мәдениет қызметкері", "Работник культуры", "Culture worker"),
]


def seed(apps, schema_editor):
    MciRate = apps.get_model("relocation", "MciRate")
    Profession = apps.get_model("relocation", "Profession")
    for year, tenge in MCI.items():
        MciRate.objects.get_or_create(year=year, defaults={"tenge": tenge})
    for code, kk, ru, en in PROFESSIONS:
        Profession.objects.get_or_create(code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en})


class Migration(migrations.Migration):
    dependencies = [("relocation", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
