"""The registry dataset: patients, tumours, procedures, follow-ups and adverse events."""

from registry.models.accounts import Membership, Site, User
from registry.models.api import ApiToken, ExportLog
from registry.models.base import ClinicalQuerySet, ClinicalRecord
from registry.models.followups import FollowUp, TumourAssessment
from registry.models.patients import Patient, Tumour
from registry.models.procedures import Complication, Procedure, TumourTreatment

__all__ = [
    "ApiToken",
    "ClinicalQuerySet",
    "ClinicalRecord",
    "Complication",
    "ExportLog",
    "FollowUp",
    "Membership",
    "Patient",
    "Procedure",
    "Site",
    "Tumour",
    "TumourAssessment",
    "TumourTreatment",
    "User",
]
