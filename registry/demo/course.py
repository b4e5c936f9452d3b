"""A synthetic patient's course after the first cryotherapy.

Time runs forward: the first procedure, then follow-ups at 1 month, 3 months
and every 4 months; imaging shows each treated tumour's state, finds new
tumours, and may lead to another procedure; the course ends at death, loss to
follow-up or the as-of date, whichever comes first. Running it in date order is
what keeps every record within the model's rules (nothing after death, no
assessment of an untreated tumour, death not before the last procedure).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from registry.choices import (
    AssessmentResult,
    CauseOfDeath,
    FollowUpKind,
    ImagingModality,
    Intent,
    TechnicalSuccess,
    VitalStatus,
)
from registry.demo import sessions
from registry.demo.draw import Draw, table
from registry.demo.fate import Fate, days
from registry.demo.markers import Markers
from registry.demo.plans import AssessmentPlan, FollowUpPlan, PatientPlan
from registry.demo.tumours import new_tumour

COMPLETE = AssessmentResult.COMPLETE_ABLATION
RESIDUAL = AssessmentResult.RESIDUAL_UNABLATED
LTP = AssessmentResult.LOCAL_PROGRESSION

# Glazer 2017: technique efficacy at 3 months 93.4% (< 4 cm) and 60% (>= 4 cm);
# local tumour progression 18% and 63% over follow-up. Keyed by (repeat, large).
P_RESIDUAL = {(False, False): 0.02, (False, True): 0.15, (True, False): 0.08, (True, True): 0.2}
P_LTP = {(False, False): 0.27, (False, True): 0.92, (True, False): 0.2, (True, True): 0.4}
LTP_MEDIAN_DAYS = {False: 200, True: 130}
P_RETREAT = 0.5  # about half of residual or progressing tumours are frozen again
MAX_RETREATMENTS = 2
# New intrahepatic tumours drive most repeat procedures (Xu 2008: 46% of patients).
P_NEW_DISEASE = 0.65
NEW_DISEASE_MEAN_DAYS = 300
P_TREAT_NEW = 0.7

VISIT_KINDS = table({FollowUpKind.IMAGING: 72, FollowUpKind.CLINIC: 18, FollowUpKind.TELEPHONE: 10})
MODALITIES = table(
    {
        ImagingModality.CT: 70,
        ImagingModality.MRI: 20,
        ImagingModality.US: 5,
        ImagingModality.PET_CT: 5,
    }
)


@dataclass
class Lesion:
    """What imaging will show at one tumour since its latest treatment."""

    treated_on: datetime.date | None = None
    awaiting_first_imaging: bool = False
    residual: bool = False
    ltp_from: datetime.date | None = None
    state: str = ""
    retreatments: int = 0


@dataclass
class Pending:
    """A further procedure decided at a follow-up, not yet performed."""

    day: datetime.date
    tumours: list[int] = field(default_factory=list)


class Course:
    """Run one patient's course forward in time, appending plans to the patient."""

    def __init__(
        self, draw: Draw, patient: PatientPlan, fate: Fate, as_of: datetime.date, operators: int
    ) -> None:
        self.draw = draw
        self.patient = patient
        self.fate = fate
        self.as_of = as_of
        self.operators = operators
        self.operator = draw.integer(0, operators - 1)
        self.lesions = [Lesion() for _ in patient.tumours]
        self.pending: Pending | None = None
        self.markers = Markers(draw, patient.baseline_cea)
        self.extrahepatic_from: datetime.date | None = None
        self.next_new_disease: datetime.date | None = None

    def run(self, first: datetime.date) -> None:
        """Treat every tumour on the first day, then follow the patient up."""
        self.extrahepatic_from = _extrahepatic_from(self.draw, self.patient, first)
        if self.draw.chance(P_NEW_DISEASE):
            self.next_new_disease = first + days(self.draw.exponential(NEW_DISEASE_MEAN_DAYS))
        self._perform(first, list(range(len(self.lesions))), first=True)
        for index, day in enumerate(self._schedule(first)):
            self._perform_due(before=day)
            if not self._open(day):
                break
            self.patient.follow_ups.append(self._visit(index, day))
        self._perform_due(before=None)
        self._close()

    # --- Time limits ----------------------------------------------------------

    def _open(self, day: datetime.date) -> bool:
        """Tell whether a contact or procedure can happen on a day (before death or loss)."""
        death, lost = self.fate.death, self.fate.lost
        return day <= self.as_of and (death is None or day < death) and (lost is None or day < lost)

    def _horizon(self) -> datetime.date:
        """Return the last day anything about the patient can be recorded."""
        return min(day for day in (self.as_of, self.fate.death, self.fate.lost) if day is not None)

    def _schedule(self, first: datetime.date) -> list[datetime.date]:
        offsets = [30, 91]
        while first + datetime.timedelta(days=offsets[-1] + 122) <= self.as_of:
            offsets.append(offsets[-1] + 122)
        days = [first + datetime.timedelta(days=d + self.draw.integer(-10, 10)) for d in offsets]
        days = [day for day in days if day <= self.as_of]
        if self.fate.skip_last_visit and days:
            days.pop()  # an overdue follow-up for the worklist to show
        return days

    # --- Procedures -------------------------------------------------------------

    def _perform_due(self, before: datetime.date | None) -> None:
        pending = self.pending
        if pending is None or (before is not None and pending.day >= before):
            return
        self.pending = None
        if self._open(pending.day):
            self._perform(pending.day, pending.tumours, first=False)

    def _perform(self, day: datetime.date, treated: list[int], *, first: bool) -> None:
        repeat = any(self.lesions[index].treated_on for index in treated)
        session = sessions.Session(
            day=day,
            horizon=self._horizon(),
            operator=self._operator(),
            intent=Intent.RETREATMENT if repeat else Intent.PRIMARY,
            first=first,
            prior_hepatectomy=self.patient.prior_hepatectomy,
        )
        plan = sessions.procedure(self.draw, session, self.patient.tumours, sorted(set(treated)))
        self.patient.procedures.append(plan)
        for treatment in plan.treatments:
            failed = treatment.technical_success == TechnicalSuccess.NO
            self._treat(treatment.tumour, day, failed)
        fatal = [event for event in plan.complications if event.ctcae_grade == 5]
        if fatal:
            # Procedure-related death: the patient dies on the day of the event.
            self.fate = Fate(fatal[0].onset_on, CauseOfDeath.PROCEDURE_RELATED, None, False)

    def _operator(self) -> int:
        if self.draw.chance(0.8):
            return self.operator  # most patients keep their operator
        return self.draw.integer(0, self.operators - 1)

    def _treat(self, index: int, day: datetime.date, failed: bool) -> None:
        lesion = self.lesions[index]
        key = (
            lesion.treated_on is not None,
            self.patient.tumours[index].max_diameter_mm >= sessions.LARGE_MM,
        )
        if lesion.treated_on is not None:
            lesion.retreatments += 1
        lesion.treated_on = day
        lesion.awaiting_first_imaging = True
        lesion.state = ""
        lesion.residual = self.draw.chance(0.6 if failed else P_RESIDUAL[key])
        lesion.ltp_from = None
        if not lesion.residual and self.draw.chance(P_LTP[key]):
            delay = self.draw.lognormal(LTP_MEDIAN_DAYS[key[1]], 0.7, 45, 1500)
            lesion.ltp_from = day + days(delay)

    def _plan_treatment(self, day: datetime.date, tumours: list[int]) -> None:
        if not tumours:
            return
        if self.pending is None:
            self.pending = Pending(self.draw.days_after(day, 21, 63))
        self.pending.tumours.extend(tumours)

    # --- Follow-ups -------------------------------------------------------------

    def _visit(self, index: int, day: datetime.date) -> FollowUpPlan:
        # The first two contacts are scans: residual tumour and 3-month efficacy.
        kind = FollowUpKind.IMAGING if index < 2 else self.draw.pick(VISIT_KINDS)
        visit = FollowUpPlan(seen_on=day, kind=kind)
        progressed = False
        if kind == FollowUpKind.IMAGING:
            visit.imaging_modality = self.draw.pick(MODALITIES)
            local = self._assess(visit, day)
            new = self._new_disease(day)
            progressed = local or new
            visit.new_intrahepatic_disease = new if self.draw.chance(0.95) else None
            from_day = self.extrahepatic_from
            visit.extrahepatic_disease = from_day is not None and from_day <= day
            visit.recist = self.markers.recist(progressed, visit.extrahepatic_disease)
        visit.cea = self.markers.cea(index, kind, progressed)
        return visit

    def _assess(self, visit: FollowUpPlan, day: datetime.date) -> bool:
        """Assess each treated tumour; return whether local progression was found."""
        found: list[int] = []
        for index, lesion in enumerate(self.lesions):
            if lesion.treated_on is None or lesion.treated_on > day:
                continue
            if self.draw.chance(0.02):
                visit.assessments.append(AssessmentPlan(index, AssessmentResult.NOT_ASSESSED))
                continue
            before = lesion.state
            lesion.state = _scan(lesion, day)
            if lesion.state != before and lesion.state != COMPLETE:
                found.append(index)
            visit.assessments.append(AssessmentPlan(index, lesion.state))
        retreat = [
            index
            for index in found
            if self.lesions[index].retreatments < MAX_RETREATMENTS and self.draw.chance(P_RETREAT)
        ]
        self._plan_treatment(day, retreat)
        return any(self.lesions[index].state == LTP for index in found)

    def _new_disease(self, day: datetime.date) -> bool:
        """Find new liver tumours due by this scan; plan to freeze most of them."""
        due = self.next_new_disease
        if due is None or day < due:
            return False
        tumours = self.patient.tumours
        count = 1 if self.draw.chance(0.7) else 2
        added = []
        for _ in range(count):
            tumours.append(new_tumour(self.draw, f"T{len(tumours) + 1}", day))
            self.lesions.append(Lesion())
            added.append(len(tumours) - 1)
        self.next_new_disease = None
        if self.draw.chance(0.3):
            self.next_new_disease = day + days(self.draw.exponential(NEW_DISEASE_MEAN_DAYS))
        if self.draw.chance(P_TREAT_NEW):
            self._plan_treatment(day, added)
        return True

    def _close(self) -> None:
        """Record the death or the loss to follow-up that ended the course."""
        fate = self.fate
        if fate.death is not None:
            _truncate_events(self.patient, fate.death)
            notified = min(self.draw.days_after(fate.death, 0, 14), self.as_of)
            self.patient.follow_ups.append(
                FollowUpPlan(
                    seen_on=notified,
                    kind=FollowUpKind.DEATH_NOTIFICATION,
                    vital_status=VitalStatus.DEAD,
                    death_date=fate.death,
                    death_cause=fate.cause,
                )
            )
        elif fate.lost is not None:
            kind = FollowUpKind.TELEPHONE if self.draw.chance(0.6) else FollowUpKind.CLINIC
            self.patient.follow_ups.append(
                FollowUpPlan(seen_on=fate.lost, kind=kind, lost_to_follow_up=True)
            )


def _scan(lesion: Lesion, day: datetime.date) -> str:
    """Return what a scan on this day shows at a treated tumour, noting the first scan."""
    ltp_due = lesion.ltp_from is not None and lesion.ltp_from <= day
    if lesion.awaiting_first_imaging:
        lesion.awaiting_first_imaging = False
        # Tumour at the first scan is residual, never progression (Ahmed et al. 2014).
        return RESIDUAL if lesion.residual or ltp_due else COMPLETE
    if lesion.state == COMPLETE and ltp_due:
        return LTP
    return lesion.state  # residual and progression persist until re-treated


def _extrahepatic_from(
    draw: Draw, patient: PatientPlan, first: datetime.date
) -> datetime.date | None:
    """Return when extrahepatic disease first shows on scans, if ever."""
    if patient.extrahepatic_disease:
        return first
    if draw.chance(0.3):
        return first + days(draw.exponential(400))
    return None


def _truncate_events(patient: PatientPlan, death: datetime.date) -> None:
    """Drop adverse events starting after a death that an earlier draw did not foresee."""
    for plan in patient.procedures:
        plan.complications = [event for event in plan.complications if event.onset_on <= death]
        for event in plan.complications:
            if event.resolved_on is not None and event.resolved_on > death:
                event.resolved_on = None
