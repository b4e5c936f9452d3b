"""factory_boy factories for registry records, valid by default."""

import datetime
import itertools

import factory
from factory.django import DjangoModelFactory

from registry import choices
from registry.models import (
    Complication,
    FollowUp,
    Membership,
    Patient,
    Procedure,
    Site,
    Tumour,
    TumourAssessment,
    TumourTreatment,
    User,
)


# Valid NHS numbers (Modulus 11), generated once so factories never collide.
def _valid_nhs_numbers():
    from registry.validators import nhs_check_digit

    for n in itertools.count(400000000):
        check = nhs_check_digit(str(n))
        if check is not None:
            yield f"{n}{check}"


_NHS_NUMBERS = _valid_nhs_numbers()

TODAY = datetime.date.today()


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SITE-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} Hepatobiliary Unit")
    organisation = "Example NHS Foundation Trust"
    governance_lead_name = "Dr G. Lead"
    governance_lead_email = "governance@example.nhs.uk"
    governance_lead_informed_on = datetime.date(2024, 1, 15)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.django.Password("correct-horse-battery")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    site = factory.SubFactory(SiteFactory)
    role = choices.Role.CLINICIAN


class PatientFactory(DjangoModelFactory):
    class Meta:
        model = Patient

    # A saved site even when the patient is only built, so full_clean() can run.
    site = factory.LazyFunction(lambda: SiteFactory())
    nhs_number = factory.LazyFunction(lambda: next(_NHS_NUMBERS))
    hospital_number = factory.Sequence(lambda n: f"H{n:06d}")
    date_of_birth = datetime.date(1958, 3, 14)
    sex = choices.Sex.FEMALE
    primary_site = choices.PrimarySite.COLORECTAL
    primary_diagnosis_date = datetime.date(2021, 5, 1)
    metastasis_timing = choices.MetastasisTiming.METACHRONOUS
    baseline_cea = 12
    mdt_date = TODAY - datetime.timedelta(days=400)
    written_information_date = TODAY - datetime.timedelta(days=395)
    alternatives_discussed = True


class TumourFactory(DjangoModelFactory):
    class Meta:
        model = Tumour

    patient = factory.SubFactory(PatientFactory)
    label = factory.Sequence(lambda n: f"T{n}")
    segment = choices.Segment.VI
    max_diameter_mm = 25
    detected_on = TODAY - datetime.timedelta(days=420)


class ProcedureFactory(DjangoModelFactory):
    class Meta:
        model = Procedure

    patient = factory.SubFactory(PatientFactory)
    performed_on = TODAY - datetime.timedelta(days=365)
    approach = choices.Approach.PERCUTANEOUS
    image_guidance = choices.ImageGuidance.CT
    anaesthesia = choices.Anaesthesia.GENERAL
    cryogen = choices.Cryogen.ARGON
    intent = choices.Intent.PRIMARY
    consent_documented = True
    length_of_stay_days = 2


class TumourTreatmentFactory(DjangoModelFactory):
    class Meta:
        model = TumourTreatment

    procedure = factory.SubFactory(ProcedureFactory)
    tumour = factory.SubFactory(TumourFactory, patient=factory.SelfAttribute("..procedure.patient"))
    probes = 2
    freeze_thaw_cycles = 2
    technical_success = choices.TechnicalSuccess.YES


class FollowUpFactory(DjangoModelFactory):
    class Meta:
        model = FollowUp

    patient = factory.SubFactory(PatientFactory)
    seen_on = TODAY - datetime.timedelta(days=270)
    kind = choices.FollowUpKind.IMAGING
    imaging_modality = choices.ImagingModality.CT


class TumourAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = TumourAssessment

    follow_up = factory.SubFactory(FollowUpFactory)
    tumour = factory.SubFactory(TumourFactory, patient=factory.SelfAttribute("..follow_up.patient"))
    result = choices.AssessmentResult.COMPLETE_ABLATION


class ComplicationFactory(DjangoModelFactory):
    class Meta:
        model = Complication

    procedure = factory.SubFactory(ProcedureFactory)
    event_type = choices.EventType.HAEMORRHAGE
    category = choices.EventCategory.COMPLICATION
    onset_on = factory.LazyAttribute(lambda o: o.procedure.performed_on)
    ctcae_grade = 3
