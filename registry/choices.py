"""Coded values of the registry dataset.

Stored values are short, stable codes (they appear in exports and the data
dictionary); labels are what clinicians read.
"""

from django.db import models


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    SITE_LEAD = "site_lead", "Site audit lead"
    GOVERNANCE_REVIEWER = "governance_reviewer", "Governance reviewer"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INDETERMINATE = "indeterminate", "Indeterminate"
    NOT_KNOWN = "not_known", "Not known"


class PrimarySite(models.TextChoices):
    COLORECTAL = "colorectal", "Colorectal"
    GASTRIC = "gastric", "Gastric"
    BREAST = "breast", "Breast"
    LUNG = "lung", "Lung"
    NEUROENDOCRINE = "neuroendocrine", "Neuroendocrine"
    MELANOMA = "melanoma", "Melanoma"
    SARCOMA = "sarcoma", "Sarcoma"
    RENAL = "renal", "Renal"
    OTHER = "other", "Other"


class MetastasisTiming(models.TextChoices):
    SYNCHRONOUS = "synchronous", "Synchronous"
    METACHRONOUS = "metachronous", "Metachronous"
    NOT_KNOWN = "not_known", "Not known"


class Segment(models.IntegerChoices):
    """Couinaud liver segments."""

    I = 1, "I (caudate)"  # noqa: E741 - the anatomical name of segment one
    II = 2, "II"
    III = 3, "III"
    IV = 4, "IV"
    V = 5, "V"
    VI = 6, "VI"
    VII = 7, "VII"
    VIII = 8, "VIII"


class Lobe(models.TextChoices):
    CAUDATE = "caudate", "Caudate"
    LEFT = "left", "Left"
    RIGHT = "right", "Right"


def lobe_of_segment(segment: int) -> str:
    """Return the lobe of a Couinaud segment: caudate I, left II-IV, right V-VIII."""
    if segment == Segment.I:
        return Lobe.CAUDATE
    if Segment.II <= segment <= Segment.IV:
        return Lobe.LEFT
    return Lobe.RIGHT


class Approach(models.TextChoices):
    PERCUTANEOUS = "percutaneous", "Percutaneous"
    LAPAROSCOPIC = "laparoscopic", "Laparoscopic"
    OPEN = "open", "Open"


class ImageGuidance(models.TextChoices):
    US = "us", "Ultrasound"
    CT = "ct", "CT"
    MRI = "mri", "MRI"
    PET_CT = "pet_ct", "PET-CT"
    INTRAOPERATIVE_US = "intraoperative_us", "Intraoperative ultrasound"


class Anaesthesia(models.TextChoices):
    LOCAL_SEDATION = "local_sedation", "Local anaesthesia / sedation"
    GENERAL = "general", "General anaesthesia"


class Cryogen(models.TextChoices):
    ARGON = "argon", "Argon"
    NITROGEN = "nitrogen", "Nitrogen"
    OTHER = "other", "Other"


class Intent(models.TextChoices):
    PRIMARY = "primary", "Primary treatment"
    POST_RESECTION_RECURRENCE = "post_resection_recurrence", "Post-resection recurrence"
    ADJUNCT_TO_RESECTION = "adjunct_to_resection", "Adjunct to resection"
    RETREATMENT = "retreatment", "Re-treatment of residual tumour or progression"


class TechnicalSuccess(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"


class FollowUpKind(models.TextChoices):
    CLINIC = "clinic", "Clinic"
    IMAGING = "imaging", "Imaging"
    TELEPHONE = "telephone", "Telephone"
    DEATH_NOTIFICATION = "death_notification", "Death notification"


class ImagingModality(models.TextChoices):
    CT = "ct", "CT"
    MRI = "mri", "MRI"
    US = "us", "Ultrasound"
    PET_CT = "pet_ct", "PET-CT"


class Recist(models.TextChoices):
    """RECIST 1.1 overall response."""

    CR = "cr", "Complete response (CR)"
    PR = "pr", "Partial response (PR)"
    SD = "sd", "Stable disease (SD)"
    PD = "pd", "Progressive disease (PD)"
    NE = "ne", "Not evaluable"


class VitalStatus(models.TextChoices):
    ALIVE = "alive", "Alive"
    DEAD = "dead", "Dead"


class CauseOfDeath(models.TextChoices):
    CANCER = "cancer", "Cancer"
    PROCEDURE_RELATED = "procedure_related", "Procedure-related"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class AssessmentResult(models.TextChoices):
    """Per-tumour imaging result (Ahmed et al. 2014 terminology)."""

    COMPLETE_ABLATION = "complete_ablation", "Complete ablation"
    RESIDUAL_UNABLATED = "residual_unablated", "Residual unablated tumour"
    LOCAL_PROGRESSION = "local_progression", "Local tumour progression"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class EventType(models.TextChoices):
    HAEMORRHAGE = "haemorrhage", "Haemorrhage"
    CRYOSHOCK = "cryoshock", "Cryoshock"
    BILIARY = "biliary", "Biliary fistula / bile duct injury"
    LIVER_ABSCESS = "liver_abscess", "Liver abscess"
    OTHER_INFECTION = "other_infection", "Other infection"
    LIVER_FAILURE = "liver_failure", "Liver failure"
    RENAL = "renal", "Renal insufficiency / myoglobinuria"
    THROMBOCYTOPENIA = "thrombocytopenia", "Thrombocytopenia"
    PLEURAL_EFFUSION = "pleural_effusion", "Pleural effusion"
    PNEUMOTHORAX = "pneumothorax", "Pneumothorax"
    ADJACENT_INJURY = "adjacent_injury", "Injury to adjacent structure"
    FEVER = "fever", "Fever > 38 °C"
    DEATH = "death", "Death"
    OTHER = "other", "Other (describe)"


class EventCategory(models.TextChoices):
    SIDE_EFFECT = "side_effect", "Side effect"
    COMPLICATION = "complication", "Complication"


class CtcaeGrade(models.IntegerChoices):
    """Common Terminology Criteria for Adverse Events v5.0 grades."""

    MILD = 1, "1 - Mild"
    MODERATE = 2, "2 - Moderate; minimal, local or non-invasive intervention"
    SEVERE = 3, "3 - Severe; admission or longer stay"
    LIFE_THREATENING = 4, "4 - Life-threatening; urgent intervention"
    DEATH = 5, "5 - Death"


class ClavienDindo(models.TextChoices):
    I = "I", "I - Any deviation from the normal course, no specific treatment"  # noqa: E741
    II = "II", "II - Drugs, transfusion or parenteral nutrition"
    IIIA = "IIIa", "IIIa - Intervention not under general anaesthesia"
    IIIB = "IIIb", "IIIb - Intervention under general anaesthesia"
    IVA = "IVa", "IVa - Single-organ failure (ICU)"
    IVB = "IVb", "IVb - Multi-organ failure (ICU)"
    V = "V", "V - Death"


class CirseGrade(models.IntegerChoices):
    """CIRSE classification system for complications (Filippiadis et al. 2017)."""

    SAME_SESSION = 1, "1 - Solved in the same session"
    SHORT_STAY = 2, "2 - Unplanned stay < 48 h, no additional therapy"
    ADDITIONAL_THERAPY = 3, "3 - Additional therapy or stay > 48 h"
    MILD_SEQUELAE = 4, "4 - Mild permanent sequelae"
    SEVERE_SEQUELAE = 5, "5 - Severe permanent sequelae"
    DEATH = 6, "6 - Death"


class EventTiming(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate (< 24 h)"
    PERIPROCEDURAL = "periprocedural", "Periprocedural (≤ 30 days)"
    DELAYED = "delayed", "Delayed (> 30 days)"
