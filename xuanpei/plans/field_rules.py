"""Who may change which field of the plans app's rows (core.field_rules, issue #9 item 1).

Who may write a plan, a task or a report at all is `services.can_manage` /
`can_report`; these are the fields that stay as they were once the row exists.
"""

from xuanpei.core.field_rules import FieldRules, register
from xuanpei.plans.models import Plan, ProgressReport, Task

# A plan's kind and the district plan it answers are what it is: a new plan, not an edit.
PLAN_RULES = register(Plan, FieldRules(fixed=("kind", "parent", "unit")))
TASK_RULES = register(Task, FieldRules(fixed=("plan",)))
# A report belongs to its assignment for good (its history, its reviewer).
REPORT_RULES = register(ProgressReport, FieldRules(fixed=("assignment",)))
