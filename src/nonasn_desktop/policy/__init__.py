"""Policy and form definitions, read from the data files in forms/."""

from nonasn_desktop.policy.loader import default_policy, forms_dir, load_policy, read_forms_text
from nonasn_desktop.policy.model import (
    BackupLimits,
    Choice,
    DocumentRule,
    EligibilityPolicy,
    FieldDef,
    PermissionRule,
    Policy,
    Step,
)

__all__ = [
    "BackupLimits",
    "Choice",
    "DocumentRule",
    "EligibilityPolicy",
    "FieldDef",
    "PermissionRule",
    "Policy",
    "Step",
    "default_policy",
    "forms_dir",
    "load_policy",
    "read_forms_text",
]
