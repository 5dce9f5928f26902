"""Screening one application (five parties) against 100,000 denial notices.

Prints the fuzzy screening's time and its ratio to a plain exact-match lookup of the same
normalised names over the same data, both measured in this run (machines here are noisy).

    .venv/bin/python bench/bench_screening.py            # a temporary SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/permits_bench \
        .venv/bin/python bench/bench_screening.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Q  # noqa: E402

from permits.compliance.models import DenialNotice, ReferenceList  # noqa: E402
from permits.compliance.names import name_keys, normalise_name  # noqa: E402
from permits.compliance.screening import denial_findings  # noqa: E402
from tests.factories import ApplicationFactory, PartyFactory  # noqa: E402

NOTICES = 100_000
SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "tu",
    "sen",
    "dal",
    "vor",
    "ix",
    "an",
    "tel",
    "bra",
    "gor",
    "lin",
    "que",
    "sat",
    "mek",
    "ol",
    "ran",
    "ves",
    "dor",
]
FORMS = ["SA", "GmbH", "LLC", "Ltd", "BV", "", "", ""]
COUNTRIES = [
    "AE",
    "SA",
    "PK",
    "IN",
    "EG",
    "TR",
    "CN",
    "RU",
    "NG",
    "BR",
    "ID",
    "MY",
    "TH",
    "VN",
    "DZ",
    "MA",
    "IL",
    "JO",
    "QA",
    "KW",
    "OM",
    "BH",
    "IQ",
    "IR",
    "KZ",
    "UZ",
    "AZ",
    "AM",
    "GE",
    "UA",
    "RS",
    "BA",
    "MK",
    "AL",
    "MX",
    "CO",
    "PE",
    "CL",
    "AR",
    "VE",
]


def company(rng: random.Random) -> str:
    words = [rng.choice(SYLLABLES) + rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))]
    return " ".join(w.capitalize() for w in words) + " " + rng.choice(FORMS)


def populate(rng: random.Random) -> None:
    reference = ReferenceList.objects.create(
        kind="denials",
        version="BENCH",
        published_on=date(2026, 1, 1),
        source="bench",
        sha256="0" * 64,
        is_current=True,
    )
    batch = []
    for i in range(NOTICES):
        consignee, end_user = company(rng), company(rng)
        consignee_keys, end_user_keys = name_keys(consignee), name_keys(end_user)
        batch.append(
            DenialNotice(
                reference_list=reference,
                number=f"B-{i}",
                notifying_state="FR",
                notified_on=date(2026, 1, 1) - timedelta(days=rng.randint(0, 1400)),
                destination=rng.choice(COUNTRIES),
                consignee_name=consignee,
                end_user_name=end_user,
                control_entries=["ML1.a"],
                status="in_force",
                consignee_key=consignee_keys.key,
                end_user_key=end_user_keys.key,
                consignee_compact=consignee_keys.compact,
                end_user_compact=end_user_keys.compact,
            )
        )
        if len(batch) == 5000:
            DenialNotice.objects.bulk_create(batch)
            batch = []


def exact(application, day):
    keys = [normalise_name(p.name) for p in application.parties.all()]
    countries = {p.country.code for p in application.parties.all()}
    return list(
        DenialNotice.objects.filter(destination__in=countries, status="in_force")
        .filter(Q(consignee_key__in=keys) | Q(end_user_key__in=keys))
        .values_list("id", flat=True)
    )


def timed(fn, *args, repeat=15):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    call_command("migrate", verbosity=0)
    rng = random.Random(20261124)
    started = time.perf_counter()
    populate(rng)
    print(f"{NOTICES} denial notices loaded in {time.perf_counter() - started:.1f} s")
    application = ApplicationFactory(country_of_destination="AE", complete=False, documents=False)
    for role in ("consignor", "consignee", "end_user", "intermediary", "intermediary"):
        PartyFactory(application=application, role=role, name=company(rng), country="AE")
    day = date(2026, 3, 1)
    fuzzy_s = timed(denial_findings, application, day)
    exact_s = timed(exact, application, day)
    print(f"fuzzy screening, 5 parties: {fuzzy_s * 1000:.1f} ms (median of 15)")
    print(f"exact-match lookup, same data: {exact_s * 1000:.1f} ms (median of 15)")
    print(f"ratio fuzzy / exact: {fuzzy_s / exact_s:.1f}x; target: fuzzy under 100 ms")


if __name__ == "__main__":
    main()
