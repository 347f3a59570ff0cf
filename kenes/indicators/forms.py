"""Forms of the import page: the upload (a file and its source) and "Load it", which names the
preview and the fingerprint of the file it showed. They check the shape of the input; what is wrong
inside the file comes back from the service as row errors."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

EXTENSIONS = ("csv", "xlsx")
# 100,000 long rows are about 4 MB as CSV; anything far larger is not an indicator file.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def extension_of(file_name: str) -> str:
    return PurePath(file_name).suffix.lower().lstrip(".")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8) or XLSX, in long form (code, kato, period, value) or wide form (one column per period)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("Where the figures come from, e.g. the Bureau of National Statistics, 2024."),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if extension_of(upload.name or "") not in EXTENSIONS:
            raise forms.ValidationError(_("Upload a CSV or an XLSX file."), code="bad_extension")
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s."),
                code="too_large",
                params={"limit": filesizeformat(MAX_UPLOAD_BYTES)},
            )
        return upload

    def clean_source(self) -> str:
        source: str = self.cleaned_data["source"].strip()
        if not source:
            raise forms.ValidationError(_("Say where the figures come from."), code="source_required")
        return source


class ApplyForm(forms.Form):
    batch = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    sha256 = forms.CharField(
        widget=forms.HiddenInput, validators=[RegexValidator(r"^[0-9a-f]{64}$")], min_length=64, max_length=64
    )

    def values(self) -> dict[str, Any]:
        return {"pk": self.cleaned_data["batch"], "sha256": self.cleaned_data["sha256"]}
