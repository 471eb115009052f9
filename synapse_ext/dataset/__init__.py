"""Datasets on disk: organizing a folder into groups per file specification, with a report.

``organize(root, collection)`` reads ``<root>/<spec>/<stem>.<ext>`` (plus an optional meta
sheet) and returns the groups to upload and every file or group it skipped, with a reason.
"""

from .metasheet import MetaSheet, load_meta_sheet
from .organize import (
    OrganizedGroup,
    OrganizeIssue,
    OrganizeReport,
    OrganizeResult,
    Reason,
    organize,
    validate_files_against_collection,
)
from .specs import Spec, SpecsLike, specs_of

__all__ = [
    "MetaSheet",
    "OrganizeIssue",
    "OrganizeReport",
    "OrganizeResult",
    "OrganizedGroup",
    "Reason",
    "Spec",
    "SpecsLike",
    "load_meta_sheet",
    "organize",
    "specs_of",
    "validate_files_against_collection",
]
