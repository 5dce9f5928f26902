"""Rendering and signing licences: CPU time per document (issue 14).

Builds N + 1 issued licences of as many organisations (factories, a temporary SQLite database
unless DATABASE_URL says otherwise; one for the warm-up), then in this one process renders each
one's unsigned PDF and signs it with a demo certificate (made the way ``seed_demo`` makes one,
in a temporary folder), in today's layout (3: the QR mask chosen on bit rows, zlib level 1,
markup parsed once per process, the signature written directly). The
baselines, measured in the same run: rendering today's unsigned PDF only (what signing adds),
and layout 2 signed through pyHanko's writer (the QR code by reportlab's encoder, zlib level 6,
pyHanko's incremental writer and CMS assembly), as documents were made before layout 3.

    .venv/bin/python bench/decision_render.py [N]          # default N = 40
    .venv/bin/python bench/decision_render.py 40 --profile  # cProfile of the signed loop
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from permits.decisions import signing  # noqa: E402
from permits.decisions.rendering import (  # noqa: E402
    LAYOUT_VERSION,
    ParsedOnce,
    decision_render_inputs,
    render_from_inputs,
)
from permits.decisions.signing import create_self_signed_p12, sign_pdf  # noqa: E402
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory  # noqa: E402
from tests.workflow_helpers import advance  # noqa: E402


def licence_inputs(count: int) -> list[tuple[str, str]]:
    """``count`` licences of as many organisations: every document of a measured loop is
    another licence (its own number, code, holder and QR code), as a worker sees them."""
    case_manager = UserFactory(username="case_manager", roles=["case_manager"])
    head = UserFactory(username="head", roles=["head_of_unit"])
    licences = []
    for _ in range(count):
        applicant = UserFactory(roles=["applicant"])
        organisation = OrganisationFactory(members=[applicant])
        application = advance(
            ApplicationFactory(organisation=organisation, created_by=applicant),
            "issued",
            applicant=applicant,
            case_manager=case_manager,
            head=head,
        )
        licences.append(
            (decision_render_inputs(application.decision, signed=True), application.reference)
        )
    return licences


def cpu_per_document(fn, n: int) -> float:
    # Each loop starts as a fresh worker would: layout 3's parsed-paragraph cache emptied,
    # then filled by one warm-up document (fonts registered, modules imported) of another
    # licence, so only the texts every licence shares are already parsed.
    ParsedOnce._parsed.clear()
    fn(0)
    start = time.process_time()
    for i in range(1, n + 1):
        fn(i)
    return (time.process_time() - start) / n


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 40
    call_command("migrate", verbosity=0)
    folder = Path(tempfile.mkdtemp())
    create_self_signed_p12(folder / "authority.p12", "demo", common_name="Bench authority")
    settings.DECISION_SIGNING_P12 = str(folder / "authority.p12")
    settings.DECISION_SIGNING_PASSWORD = "demo"
    settings.DECISION_TIMESTAMP_URL = ""
    licences = licence_inputs(n + 1)

    def unsigned(i: int) -> bytes:
        return render_from_inputs(licences[i][0])

    def signed(i: int) -> bytes:
        inputs, reference = licences[i]
        return sign_pdf(render_from_inputs(inputs), reason=f"Decision {reference}")

    if "--profile" in sys.argv:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(lambda: [signed(i) for i in range(n + 1)])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return

    def layout_2(i: int) -> bytes:
        # Layout 2 as it was signed before layout 3: pyHanko's writer and CMS assembly, with
        # the signer loaded once and the placeholder size cached (issue 14's second pass).
        key = signing._signer_key()
        signer = signing._signer(key)
        md_algorithm = signing.select_suitable_signing_md(signer.signing_cert.public_key)
        inputs, reference = licences[i]
        return signing._sign_with_pyhanko(
            render_from_inputs(inputs, "2"),
            reason=f"Decision {reference}",
            signer=signer,
            md_algorithm=md_algorithm,
            timestamper=None,
            reserved=signing._bytes_reserved(key, signer, md_algorithm, None),
        )

    base = cpu_per_document(unsigned, n)
    full = cpu_per_document(signed, n)
    old = cpu_per_document(layout_2, n)
    print(
        f"render+sign licence (layout {LAYOUT_VERSION}), {n} documents: "
        f"{full * 1000:.1f} ms CPU/document, {1 / full:.1f} documents/s; "
        f"unsigned render only {base * 1000:.1f} ms CPU/document; "
        f"ratio signed/unsigned {full / base:.2f}x; "
        f"layout 2 signed by pyHanko's writer {old * 1000:.1f} ms CPU/document, "
        f"ratio layout 2/layout {LAYOUT_VERSION} {old / full:.2f}x; goal <= 20 ms: "
        f"{'met' if full <= 0.020 else 'not met'}"
    )


if __name__ == "__main__":
    main()
