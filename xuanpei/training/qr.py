"""The sign-in links of a session (issue #12 §3): their QR codes, drawn on the server
(segno → inline SVG; no image file, no outside request: the organiser's printable page
embeds them), and the organiser's "重新生成链接", which replaces the token.
"""

from __future__ import annotations

import io

import segno
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from xuanpei.training.models import TrainingSession, new_sign_in_token


def qr_svg(data: str, *, scale: int = 6, title: str = "") -> str:
    """The QR code of `data` as an inline `<svg>` element (no XML declaration),
    error correction level M (a printed sheet may get a crease), with a quiet zone."""
    code = segno.make(data, error="m", micro=False, boost_error=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=scale,
        border=4,
        xmldecl=False,
        svgns=True,
        title=title or None,
        svgclass="qr-code",
        lineclass=None,
        omitsize=True,
    )
    return out.getvalue().decode()


def regenerate_sign_in_token(session, *, actor) -> str:
    """A new sign-in token for `session` (the organiser's "重新生成链接"): the old QR
    code and links answer 404 from the commit on. Scope: the actor must be allowed to
    change the session (else PermissionDenied). The token is not audited (it is a
    secret; `sign_in_token` is excluded from the session's audit log)."""
    with transaction.atomic():
        locked = (
            TrainingSession.objects.for_user(actor, "change")
            # Only the session's row: the scope's outer joins cannot be locked (PostgreSQL).
            .select_for_update(of=("self",))
            .filter(pk=session.pk)
            .first()
        )
        if locked is None:
            raise PermissionDenied(_("您没有权限管理该培训班次的签到二维码"))
        locked.sign_in_token = new_sign_in_token()
        locked.save(update_fields=["sign_in_token"])
    session.sign_in_token = locked.sign_in_token
    return locked.sign_in_token
