"""Seeds the indicator catalogue of issue 8. Idempotent: an indicator already present (by code) is
left as it is, so staff edits to names or definitions survive a re-run."""

from __future__ import annotations

from typing import Any

from django.db import migrations

STATISTICS = "Бюро национальной статистики АСПиР РК"
AKIMAT = "Акимат (отчёт)"

PEOPLE = ("адам", "человек", "people")
PERCENT_OF_HOUSEHOLDS = ("үй шаруашылығының %", "% домохозяйств", "% of households")
FACILITIES = ("нысан", "объектов", "facilities")

HIGHER = "higher_better"
LOWER = "lower_better"
NEUTRAL = "neutral"

# code, (name kk, ru, en), (unit kk, ru, en), (definition kk, ru, en), direction, source, percent, negative
CATALOGUE: list[tuple[Any, ...]] = [
    (
        "population",
        ("Халық саны", "Численность населения", "Population"),
        PEOPLE,
        (
            "Кезең басындағы тұрақты халық саны.",
            "Численность постоянного населения на начало периода.",
            "Resident population at the start of the period.",
        ),
        HIGHER,
        STATISTICS,
        False,
        False,
    ),
    (
        "births",
        ("Туғандар саны", "Число родившихся", "Births"),
        PEOPLE,
        (
            "Кезең ішінде тіркелген тірі туғандар саны.",
            "Число живорождённых, зарегистрированных за период.",
            "Live births registered during the period.",
        ),
        HIGHER,
        STATISTICS,
        False,
        False,
    ),
    (
        "deaths",
        ("Қайтыс болғандар саны", "Число умерших", "Deaths"),
        PEOPLE,
        (
            "Кезең ішінде тіркелген қайтыс болғандар саны.",
            "Число умерших, зарегистрированных за период.",
            "Deaths registered during the period.",
        ),
        LOWER,
        STATISTICS,
        False,
        False,
    ),
    (
        "arrivals",
        ("Келгендер саны", "Число прибывших", "Arrivals"),
        PEOPLE,
        (
            "Кезең ішінде тұрақты тұруға келгендер саны.",
            "Число прибывших на постоянное жительство за период.",
            "People who arrived to live permanently during the period.",
        ),
        HIGHER,
        STATISTICS,
        False,
        False,
    ),
    (
        "departures",
        ("Кеткендер саны", "Число выбывших", "Departures"),
        PEOPLE,
        (
            "Кезең ішінде тұрақты тұрғылықты жерінен кеткендер саны.",
            "Число выбывших с постоянного места жительства за период.",
            "People who left their permanent residence during the period.",
        ),
        LOWER,
        STATISTICS,
        False,
        False,
    ),
    (
        "net_migration",
        ("Көші-қон сальдосы", "Сальдо миграции", "Net migration"),
        PEOPLE,
        (
            "Келгендер мен кеткендер санының айырмасы; теріс мән халықтың кетуін білдіреді.",
            "Разность числа прибывших и выбывших; отрицательное значение означает отток населения.",
            "Arrivals minus departures; a negative value means people are leaving.",
        ),
        HIGHER,
        STATISTICS,
        False,
        True,
    ),
    (
        "employed",
        ("Жұмыспен қамтылғандар", "Занятое население", "Employed"),
        PEOPLE,
        (
            "Кезеңдегі жұмыспен қамтылған халық саны (жалдамалы және өз бетінше жұмыспен қамтылғандар).",
            "Численность занятого населения за период (наёмные работники и самозанятые).",
            "People in employment during the period (employees and the self-employed).",
        ),
        HIGHER,
        STATISTICS,
        False,
        False,
    ),
    (
        "open_vacancies",
        ("Бос жұмыс орындары", "Открытые вакансии", "Open vacancies"),
        ("жұмыс орны", "вакансий", "vacancies"),
        (
            "Кезең соңында жұмыс берушілер мәлімдеген бос жұмыс орындарының саны.",
            "Число вакансий, заявленных работодателями, на конец периода.",
            "Vacancies employers reported as open at the end of the period.",
        ),
        NEUTRAL,
        AKIMAT,
        False,
        False,
    ),
    (
        "piped_water",
        ("Орталықтандырылған сумен жабдықтау", "Централизованное водоснабжение", "Piped water"),
        PERCENT_OF_HOUSEHOLDS,
        (
            "Орталықтандырылған сумен жабдықтауға қосылған үй шаруашылықтарының үлесі.",
            "Доля домохозяйств, подключённых к централизованному водоснабжению.",
            "Share of households connected to a piped (centralised) water supply.",
        ),
        HIGHER,
        AKIMAT,
        True,
        False,
    ),
    (
        "gas",
        ("Газбен жабдықтау", "Газоснабжение", "Gas supply"),
        PERCENT_OF_HOUSEHOLDS,
        (
            "Табиғи газға қосылған үй шаруашылықтарының үлесі.",
            "Доля домохозяйств, подключённых к природному газу.",
            "Share of households connected to natural gas.",
        ),
        HIGHER,
        AKIMAT,
        True,
        False,
    ),
    (
        "internet",
        ("Интернетке қолжетімділік", "Доступ к интернету", "Internet access"),
        PERCENT_OF_HOUSEHOLDS,
        (
            "Кеңжолақты интернетке қолжетімді үй шаруашылықтарының үлесі.",
            "Доля домохозяйств с доступом к широкополосному интернету.",
            "Share of households with broadband internet access.",
        ),
        HIGHER,
        AKIMAT,
        True,
        False,
    ),
    (
        "road_condition",
        ("Жолдардың жай-күйі", "Состояние дорог", "Road condition"),
        ("жергілікті жолдардың %", "% местных дорог", "% of local roads"),
        (
            "Жақсы және қанағаттанарлық жай-күйдегі жергілікті маңызы бар жолдардың үлесі.",
            "Доля автодорог местного значения в хорошем и удовлетворительном состоянии.",
            "Share of local roads in good or satisfactory condition.",
        ),
        HIGHER,
        AKIMAT,
        True,
        False,
    ),
    (
        "school",
        ("Мектептер", "Школы", "Schools"),
        FACILITIES,
        (
            "Жұмыс істеп тұрған жалпы білім беретін мектептер саны.",
            "Число действующих общеобразовательных школ.",
            "Number of general education schools in operation.",
        ),
        HIGHER,
        AKIMAT,
        False,
        False,
    ),
    (
        "clinic",
        ("Медициналық пункттер", "Медицинские пункты", "Clinics"),
        FACILITIES,
        (
            "Жұмыс істеп тұрған алғашқы медициналық-санитариялық көмек нысандарының саны "
            "(емхана, дәрігерлік амбулатория, фельдшерлік-акушерлік пункт, медициналық пункт).",
            "Число действующих объектов первичной медико-санитарной помощи "
            "(поликлиника, врачебная амбулатория, ФАП, медицинский пункт).",
            "Number of primary health care facilities in operation "
            "(polyclinic, doctor's surgery, feldsher-midwife post, medical post).",
        ),
        HIGHER,
        AKIMAT,
        False,
        False,
    ),
    (
        "culture_house",
        ("Мәдениет үйлері", "Дома культуры", "Culture houses"),
        FACILITIES,
        (
            "Жұмыс істеп тұрған мәдениет үйлері мен клубтардың саны.",
            "Число действующих домов культуры и сельских клубов.",
            "Number of culture houses and village clubs in operation.",
        ),
        HIGHER,
        AKIMAT,
        False,
        False,
    ),
]


def seed(apps: Any, schema_editor: Any) -> None:
    indicator_model = apps.get_model("indicators", "Indicator")
    for position, (code, names, units, definitions, direction, source, percent, negative) in enumerate(
        CATALOGUE, start=1
    ):
        indicator_model.objects.get_or_create(
            code=code,
            defaults={
                "name_kk": names[0],
                "name_ru": names[1],
                "name_en": names[2],
                "unit_kk": units[0],
                "unit_ru": units[1],
                "unit_en": units[2],
                "definition_kk": definitions[0],
                "definition_ru": definitions[1],
                "definition_en": definitions[2],
                "direction": direction,
                "source": source,
                "is_percent": percent,
                "allows_negative": negative,
                "ordering_key": position * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
