"""Who may change which field of a unit and an enterprise (core.field_rules, issue #9 item 1)."""

from xuanpei.core.field_rules import DEPARTMENT, ENTERPRISE, FieldRules, register
from xuanpei.orgs.models import Enterprise, Unit

# A unit moves in the tree only by the district's reorganisation, never by an edit.
UNIT_RULES = register(Unit, FieldRules(fixed=("parent",)))

ENTERPRISE_RULES = register(
    Enterprise,
    FieldRules(
        locked={
            # An enterprise keeps its record up to date, but where it sits, who
            # supervises it and its credit code are the authorities' to say.
            ENTERPRISE: ("unit", "departments", "uscc"),
            # A department supervises enterprises wherever they sit: their 属地 is
            # the territory's business.
            DEPARTMENT: ("unit",),
        }
    ),
)
