"""The read-replica router against a real streaming replica (docs/deployment.md, "Read replicas").

A private primary cluster is made and migrated, a resident and a proposal collecting support are put
in it, and `pg_basebackup -R` makes a replica that follows it by streaming replication. granian serves
Kenes with DATABASE_URL = the primary and DATABASE_REPLICA_URL = the replica.

Replay on the replica is then paused: the replica is behind, as a lagging one is, so where a page was
read is visible in what it shows. The resident logs in and supports the proposal: each following page
of theirs shows the support (read from the primary, pinned by the cookie), while an anonymous reader
still sees the old count (read from the replica); once the pin has expired the resident is still
signed in (sessions are always read from the primary) but reads the paused replica again. Replay
resumes and the replica catches up.

DEBUG is on so the server needs no collectstatic (the router does not care). About a minute on an idle
machine with two cores.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.faults.replica_cluster import (
    Browser,
    Cluster,
    Server,
    kenes_env,
    manage,
    postgres_available,
    primary_cluster,
    signed_in,
    support_count,
    supports_it,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not postgres_available(), reason="PostgreSQL server binaries are not installed"),
]

PASSWORD = "replica-test-password-42"
PIN_SECONDS = 2
APPLICATION = "kenes-web"

ARRANGE = f"""
import json
from kenes.proposals.models import Status
from kenes.proposals.tests.factories import ProposalFactory, resident_of
proposal = ProposalFactory.create(status=Status.COLLECTING)
resident = resident_of(proposal.okrug, username="replica-resident")
resident.set_password({PASSWORD!r})
resident.save()
print(json.dumps({{"proposal": proposal.pk}}))
"""


def _connected(cluster: Cluster, application: str) -> int:
    return int(cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", application)[0][0])


def test_a_streaming_replica_serves_reads_and_a_resident_reads_their_own_writes(tmp_path: Path) -> None:
    started = time.monotonic()
    with primary_cluster() as pair:
        setup_env = kenes_env(tmp_path / "var", pair.primary.url(), DEBUG="true")
        manage(setup_env, "migrate", "--noinput", "-v", "0")
        migrated = time.monotonic() - started
        proposal = int(json.loads(manage(setup_env, "shell", "-c", ARRANGE).strip().splitlines()[-1])["proposal"])
        replica = pair.add_replica()
        pair.wait_for_replay()

        env = kenes_env(
            tmp_path / "var",
            pair.primary.url(APPLICATION),
            replica.url(APPLICATION),
            DEBUG="true",
            KENES_REPLICA_PIN_SECONDS=str(PIN_SECONDS),
        )
        with Server(env, workers=1, threads=2) as server:
            anonymous = Browser(server.url)
            before = support_count(anonymous, proposal)
            assert _connected(replica, APPLICATION) >= 1, "the anonymous read went to the replica"

            pair.pause_replay()
            resident = Browser(server.url)
            answer = resident.log_in("replica-resident", PASSWORD)
            assert answer.status == 302, answer.body[:500]
            assert {"sessionid", "kenes_primary"} <= answer.cookie_names()
            supported = resident.post(f"/proposals/{proposal}/support/", {})
            assert supported.status == 302, supported.body[:500]
            assert "kenes_primary" in supported.cookie_names()

            reloaded = resident.get(f"/proposals/{proposal}/")
            assert signed_in(reloaded.body)
            assert supports_it(reloaded.body, proposal), "the resident sees their support after a reload"
            assert support_count(resident, proposal) == before + 1
            assert support_count(anonymous, proposal) == before, "an anonymous reader is served by the replica"
            unpinned = Browser(server.url, {k: v for k, v in resident.cookies.items() if k != "kenes_primary"})
            page = unpinned.get(f"/proposals/{proposal}/").body
            assert signed_in(page), "sessions are read from the primary"
            assert not supports_it(page, proposal), "without the pin the page comes from the paused replica"

            time.sleep(PIN_SECONDS + 1.2)
            page = resident.get(f"/proposals/{proposal}/").body
            assert signed_in(page)
            assert not supports_it(page, proposal), "the pin expired: reads went back to the (paused) replica"

            pair.resume_replay()
            caught_up = time.monotonic()
            while support_count(anonymous, proposal) != before + 1:
                assert time.monotonic() - caught_up < 30, "the replica caught up after replay resumed"
                time.sleep(0.05)
            caught_up = time.monotonic() - caught_up
            assert supports_it(resident.get(f"/proposals/{proposal}/").body, proposal), "and now from the replica"
            assert server.process.poll() is None

        assert replica.sql("SELECT pg_is_in_recovery()")[0][0] is True, "the replica stayed read-only"
        (rows,) = pair.primary.sql(
            "SELECT count(*) FROM proposals_support WHERE proposal_id = %s", proposal
        )[0]  # fmt: skip
        assert rows == before + 1
    print(
        f"\nreplica caught up {caught_up:.2f} s after replay resumed; cluster and migrations {migrated:.0f} s, "
        f"{time.monotonic() - started:.0f} s in all"
    )
