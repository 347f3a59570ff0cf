from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kenes.core.audit import verify_audit_chain
from kenes.core.models import AuditEntry


class Command(BaseCommand):
    help = "Checks the audit log's hash chain and reports the first tampered row."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = verify_audit_chain()
        if broken is not None:
            raise CommandError(f"Audit log tampered at row {broken.entry_id}: {broken.reason}.")
        self.stdout.write(f"Audit log intact: {AuditEntry.objects.count()} rows verified.")
