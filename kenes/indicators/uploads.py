"""The files kept between a preview and "Load it": MEDIA_ROOT/indicator-uploads/<batch id>-<sha256>.<ext>.

A preview keeps the uploaded file so the very file previewed is loaded; loading deletes it. A preview
nobody loads would keep its file forever, so `discard_stale_previews` (the command
`clear_indicator_previews`, run daily) deletes the files of previews older than a few days; the
preview's batch stays in the list of loads, and "Load it" then asks for the file again.
"""

from __future__ import annotations

import datetime

from django.core.files.storage import default_storage
from django.utils import timezone

from kenes.indicators.forms import extension_of
from kenes.indicators.models import ImportBatch

UPLOADS = "indicator-uploads"
KEEP_PREVIEWS = datetime.timedelta(days=2)


def kept_name(batch: ImportBatch, sha256: str) -> str:
    return f"{UPLOADS}/{batch.pk}-{sha256}.{extension_of(batch.file_name)}"


def discard_stale_previews(
    *, older_than: datetime.timedelta = KEEP_PREVIEWS, now: datetime.datetime | None = None
) -> int:
    """Deletes the kept files of previews made before `now - older_than`; returns how many it deleted.
    Only files that follow the kept-file pattern of a previewed batch are touched."""
    cutoff = (now or timezone.now()) - older_than
    deleted = 0
    stale = ImportBatch.objects.filter(status=ImportBatch.Status.PREVIEWED, created_at__lt=cutoff)
    for batch in stale.only("pk", "sha256", "file_name").iterator(chunk_size=500):
        name = kept_name(batch, batch.sha256)
        if default_storage.exists(name):
            default_storage.delete(name)
            deleted += 1
    return deleted
