"""Scope registry entries of the quarterly bulletin's pages (issue #13 item 3); merged
into tests/scope_registry.py at import.

A bulletin belongs to the district; an issued one is read by the units it names
(`recipients`), a draft by the district alone. The foreign object is an issued
bulletin naming 东新城 only: 东新城 reads it, its siblings, the department and the
enterprise must not. A district draft is the second object, which only the district reads.
"""

from __future__ import annotations

from tests.scope_registry import DRAFT_OUTSIDERS, Foreign

ISSUED_TITLE = "关于东城标记通报的通报"
DRAFT_TITLE = "关于区级草稿标记通报的通报"


def _bulletin(d, title, **kwargs):
    from xuanpei.assessment.factories import BulletinFactory
    from xuanpei.assessment.models import Bulletin

    found = Bulletin.objects.filter(title=title).first()
    return found or BulletinFactory(unit=d.root, title=title, **kwargs)


def _foreign_bulletin(d) -> Foreign:
    from datetime import date

    from xuanpei.assessment.models import Bulletin

    bulletin = _bulletin(
        d,
        ISSUED_TITLE,
        status=Bulletin.Status.ISSUED,
        doc_year=date.today().year,
        doc_number=901,
        signed_on=date.today(),
    )
    bulletin.recipients.set([d.town_a_unit])
    # The district owns it (SCOPE_UNIT); 东新城 reads it as a named unit (SCOPE_ADDRESSED).
    return Foreign(bulletin, (ISSUED_TITLE,), visible_to=("district", "town_a"))


def _draft_bulletin(d) -> Foreign:
    return Foreign(
        _bulletin(d, DRAFT_TITLE),
        (DRAFT_TITLE,),
        visible_to=("district",),
        outsiders=DRAFT_OUTSIDERS,
    )


FOREIGN_OBJECTS = {"assessment.Bulletin": _foreign_bulletin}
MORE_FOREIGN_OBJECTS = {"assessment.Bulletin": [_draft_bulletin]}

OWNER_GET = {
    "assessment:bulletin_edit": (
        {200, 404},
        "只编辑草稿，且只由区安委办编辑；已印发的通报对被通报单位只读",
    ),
    "assessment:bulletin_issue": (
        {200, 404},
        "只印发草稿，且只由区安委办印发；已印发的通报对被通报单位只读",
    ),
}
OWNER_GET["assessment:bulletin_add"] = (
    {200, 403},
    "只有区安委办编制通报；被通报单位（东新城）只读已印发的通报，打开生成表单得到 403",
)
OWNER_NO_MARKER = {
    "assessment:bulletin_add": "生成表单，只选年度和季度，不列出已有通报",
}
