"""Serving stored uploads through Django, after the scope check (never a public MEDIA URL)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _


def file_response(field, *, filename: str, content_type: str, inline: bool) -> FileResponse:
    """A stored file through Django (never a public MEDIA URL), named for the person."""
    if not field.name or not field.storage.exists(field.name):
        raise Http404(_("文件不存在"))
    response = FileResponse(
        field.open("rb"), as_attachment=not inline, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, max-age=600"
    # An uploaded file never runs as a page of this site, whatever it holds.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
