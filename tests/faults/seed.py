"""The site and data for the fault tests, made in a private cluster by a separate process (pytest
only imports MARKER): `python -m tests.faults.seed setup RESIDENTS PROPOSALS MEMBERS ITEMS` and
`python -m tests.faults.seed counts`. Each prints one JSON line after the marker `FAULT-JSON `.

`setup` migrates, collects the static files (hashed names and their manifest, which DEBUG=false
needs; without whitenoise's gzip/brotli copies, the slow part, which the test does not need) and
builds, with the apps' own test factories and services: one active council; PROPOSALS
proposals of its okrug collecting support; RESIDENTS verified residents of the okrug; a sitting in
progress with MEMBERS members, all present, and ITEMS agenda items with their open vote opened by
the secretary; an API token for every resident and member.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

MARKER = "FAULT-JSON "


def setup_site() -> dict[str, float]:
    from django.conf import settings
    from django.core.management import call_command

    timings = {}
    began = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    timings["migrate"] = time.monotonic() - began
    # Before anything has used the storage, so collectstatic gets this one.
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    began = time.monotonic()
    call_command("collectstatic", interactive=False, verbosity=0)
    timings["collectstatic"] = time.monotonic() - began
    return timings


def prepare(*, residents: int, proposals: int, members: int, items: int) -> dict[str, Any]:
    from kenes.accounts.services import issue_api_token
    from kenes.meetings.services import open_vote
    from kenes.meetings.tests.factories import sitting_with_members
    from kenes.proposals.models import Status
    from kenes.proposals.tests.factories import ProposalFactory, resident_of

    sitting = sitting_with_members(members)
    council = sitting.council
    author = resident_of(council.okrug)
    proposal_ids = [
        ProposalFactory.create(council=council, author=author, status=Status.COLLECTING).pk for _ in range(proposals)
    ]
    item_ids = []
    for _ in range(items):
        item = sitting.item()
        open_vote(actor=sitting.secretary, item=item)
        item_ids.append(item.pk)

    def token(user: Any) -> str:
        return issue_api_token(actor=user, user=user, name="fault test")[1]

    supporters = [resident_of(council.okrug) for _ in range(residents)]
    voters = [member.user for member in sitting.members if member.user is not None]
    return {
        "proposals": proposal_ids,
        "items": item_ids,
        "residents": [{"user": person.pk, "token": token(person)} for person in supporters],
        "members": [{"user": person.pk, "token": token(person)} for person in voters],
    }


def counts() -> dict[str, Any]:
    """Every support and vote row, each proposal's support counter, and the first broken audit row."""
    from kenes.core.audit import verify_audit_chain
    from kenes.meetings.models import Vote
    from kenes.proposals.models import Proposal, Support

    broken = verify_audit_chain()
    return {
        "supports": list(Support.objects.values_list("proposal_id", "resident_id")),
        "support_counts": dict(Proposal.objects.values_list("pk", "support_count")),
        "votes": list(Vote.objects.values_list("item_id", "member__user_id")),
        "audit_broken_at": None if broken is None else broken.entry_id,
    }


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    command, *numbers = argv
    if command == "setup":
        residents, proposals, members, items = map(int, numbers)
        timings = setup_site()
        began = time.monotonic()
        result = prepare(residents=residents, proposals=proposals, members=members, items=items)
        result["timings"] = {**timings, "data": time.monotonic() - began}
    elif command == "counts":
        result = counts()
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(MARKER + json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
