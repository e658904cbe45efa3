"""Who may change which field of the training app's rows (core.field_rules).

A session stays with its organiser: its unit and (an enterprise's) enterprise are set
on creation (services_sessions sets an enterprise's 属地); its status moves only by the
status actions (已举办, 归档), never by an edit.
"""

from xuanpei.core.field_rules import FieldRules, register
from xuanpei.training.models import TrainingSession

SESSION_RULES = register(TrainingSession, FieldRules(fixed=("unit", "enterprise")))
