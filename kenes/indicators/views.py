"""Indicator pages: the public catalogue, the staff's upload page (upload → preview → "Load it" →
result) and the list of loads.

The preview runs the import without writing values and keeps the uploaded file under
MEDIA_ROOT/indicator-uploads/<batch id>-<sha256>.<ext>; "Load it" posts the preview's id and the
file's fingerprint, so the very file that was previewed is loaded (the fingerprint is checked
against the kept file) and nothing has to be uploaded twice. The kept file is deleted once loaded.
Every step is a plain form: no JavaScript needed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from typing import IO, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kenes.core.errors import DomainError
from kenes.indicators import selectors, services
from kenes.indicators.forms import ApplyForm, UploadForm, extension_of
from kenes.indicators.importer import stored_errors
from kenes.indicators.models import ImportBatch
from kenes.indicators.permissions import can_import_indicators
from kenes.indicators.perspective_selectors import pilot_district
from kenes.indicators.uploads import kept_name

PREVIEW_ROWS = 10
BATCHES_PER_PAGE = 50


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "indicators/forbidden.html", status=403)


# The catalogue


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    pilot = pilot_district()
    context = {
        "indicators": list(selectors.catalogue()),
        "pilot_district": pilot,
        "region_kato": pilot.region.kato if pilot is not None else "",
    }
    return render(request, "indicators/catalogue.html", context)


# The kept upload


def _sha256(file: IO[bytes]) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _first_rows(file: IO[bytes], file_name: str) -> list[list[str]]:
    """The file's first lines as they are (header included), for the preview to show; nothing when
    the file cannot be read (the row errors then say why)."""
    rows: list[list[str]] = []
    try:
        file.seek(0)
        if extension_of(file_name) == "xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(file, read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                for values in sheet.iter_rows(max_row=PREVIEW_ROWS + 1, values_only=True):
                    rows.append(["" if value is None else str(value) for value in values])
            finally:
                workbook.close()
        else:
            head = file.read(64 * 1024).decode("utf-8-sig", errors="replace")
            lines = head.splitlines()[: PREVIEW_ROWS + 1]
            delimiter = ";" if lines and lines[0].count(";") > lines[0].count(",") else ","
            rows = [list(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
    except (csv.Error, OSError, KeyError, ValueError, zipfile.BadZipFile):
        rows = []  # a preview aid only: the service's row errors say what is wrong with the file
    finally:
        file.seek(0)
    return rows


# The import page


def _upload_page(request: HttpRequest, form: UploadForm, *, status: int = 200, problem: str = "") -> HttpResponse:
    return render(request, "indicators/import.html", {"form": form, "problem": problem}, status=status)


def _batch_page(request: HttpRequest, template: str, batch: ImportBatch, **context: Any) -> HttpResponse:
    status = 422 if batch.status == ImportBatch.Status.REFUSED else 200
    context.update(
        {
            "batch": batch,
            "errors": stored_errors(batch.errors),  # in the viewer's language
            "errors_left_out": max(batch.error_count - len(batch.errors), 0),
        }
    )
    return render(request, template, context, status=status)


def _preview(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    sha256 = _sha256(upload)
    first_rows = _first_rows(upload, upload.name)
    try:
        batch = services.import_indicator_file(
            actor=request.user, file=upload, file_name=upload.name, source=form.cleaned_data["source"], apply=False
        )
    except DomainError as error:
        form.add_error(None, ValidationError(str(error.message), code=error.code))
        return _upload_page(request, form, status=error.status)
    apply_form = None
    if batch.status == ImportBatch.Status.PREVIEWED:
        name = kept_name(batch, sha256)
        if default_storage.exists(name):  # left by an earlier database with the same ids: never renamed
            default_storage.delete(name)
        upload.seek(0)
        default_storage.save(name, upload)
        apply_form = ApplyForm(initial={"batch": batch.pk, "sha256": sha256})
    return _batch_page(request, "indicators/preview.html", batch, first_rows=first_rows, apply_form=apply_form)


def _gone(request: HttpRequest) -> HttpResponse:
    problem = _("The previewed file is no longer here (it may have been loaded already): upload it again.")
    return _upload_page(request, UploadForm(), status=409, problem=problem)


def _apply(request: HttpRequest) -> HttpResponse:
    form = ApplyForm(request.POST)
    if not form.is_valid():
        return _gone(request)
    batch = selectors.access_previewed_batch(user=request.user, pk=form.cleaned_data["batch"])
    sha256 = form.cleaned_data["sha256"]
    name = kept_name(batch, sha256)
    if sha256 != batch.sha256 or not default_storage.exists(name):
        return _gone(request)
    with default_storage.open(name, "rb") as kept:
        if _sha256(kept) != sha256:
            default_storage.delete(name)
            return _gone(request)
        try:
            applied = services.import_indicator_file(
                actor=request.user,
                file=kept,
                file_name=batch.file_name,
                source=batch.source,
                apply=True,
                is_demo=batch.is_demo,
            )
        except DomainError as error:
            return _upload_page(request, UploadForm(), status=error.status, problem=str(error.message))
    default_storage.delete(name)
    return _batch_page(request, "indicators/result.html", applied)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    if not can_import_indicators(request.user):
        return _forbidden(request)
    if request.method != "POST":
        return _upload_page(request, UploadForm())
    if "batch" in request.POST:
        return _apply(request)
    return _preview(request)


# The list of loads


@login_required
@require_safe
def imports(request: HttpRequest) -> HttpResponse:
    if not can_import_indicators(request.user):
        return _forbidden(request)
    batches = Paginator(selectors.import_batches(), BATCHES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "indicators/imports.html", {"batches": batches})
