"""Seeds the seven standard roles. The names are copied here (not imported) so this migration keeps
meaning what it meant when it landed."""

from django.db import migrations

ROLES = [
    ("resident", "Тұрғын", "Житель", "Resident"),
    ("council_member", "Кеңес мүшесі", "Член совета", "Council member"),
    ("coordinator", "Үйлестіруші депутат", "Депутат-координатор", "Coordinator deputy"),
    ("akimat_staff", "Әкімдік қызметкері", "Сотрудник акимата", "Akimat staff"),
    ("district_admin", "Аудан әкімшісі", "Администратор района", "District administrator"),
    ("oblast_admin", "Облыс әкімшісі", "Администратор области", "Oblast administrator"),
    ("programme_staff", "Бағдарлама қызметкері", "Сотрудник программы", "Programme staff"),
]


def seed_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, name_kk, name_ru, name_en in ROLES:
        Role.objects.update_or_create(code=code, defaults={"name_kk": name_kk, "name_ru": name_ru, "name_en": name_en})


def unseed_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    # A role someone still holds is kept: assignments protect it.
    Role.objects.filter(code__in=[code for code, *_ in ROLES], assignments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed_roles, unseed_roles)]
