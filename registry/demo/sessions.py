"""Synthetic cryotherapy sessions: how they were done and what went wrong.

Adverse-event rates follow Glazer et al. 2017 (AJR 209:1381): any event in
about a third of procedures; CTCAE grade 3-5 in 8.7% of procedures treating
only tumours under 4 cm and 19.5% when a tumour of 4 cm or more was treated.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from registry.choices import (
    Anaesthesia,
    Approach,
    Cryogen,
    EventCategory,
    EventType,
    ImageGuidance,
    Intent,
    TechnicalSuccess,
)
from registry.demo.draw import Draw, table
from registry.demo.plans import ComplicationPlan, ProcedurePlan, TreatmentPlan, TumourPlan

LARGE_MM = 40  # Glazer's subgroups split at 4 cm.

P_MAJOR = {False: 0.085, True: 0.19}  # CTCAE >= 3, by "a >= 4 cm tumour was treated".
P_ANY = {False: 0.33, True: 0.45}
P_FATAL_GIVEN_MAJOR = 0.12  # About 1-2% of procedures, as NICE's 2% mortality.

FIRST_APPROACH = table({Approach.PERCUTANEOUS: 70, Approach.LAPAROSCOPIC: 10, Approach.OPEN: 20})
REPEAT_APPROACH = table({Approach.PERCUTANEOUS: 85, Approach.LAPAROSCOPIC: 5, Approach.OPEN: 10})
PERCUTANEOUS_GUIDANCE = table(
    {ImageGuidance.CT: 55, ImageGuidance.US: 30, ImageGuidance.MRI: 8, ImageGuidance.PET_CT: 7}
)
CRYOGEN = table({Cryogen.ARGON: 80, Cryogen.NITROGEN: 20})
DEVICES = {
    Cryogen.ARGON: "Argon-helium cryoablation system",
    Cryogen.NITROGEN: "Liquid-nitrogen cryoablation system",
}
# Usual length of stay by approach (0 = day case).
STAY_DAYS: dict[str, tuple[int, int]] = {
    Approach.PERCUTANEOUS: (0, 2),
    Approach.LAPAROSCOPIC: (2, 4),
    Approach.OPEN: (4, 10),
}
CYCLES = table({2: 88, 3: 8, 1: 4})
SUCCESS = {
    False: table({TechnicalSuccess.YES: 96, TechnicalSuccess.NO: 3, TechnicalSuccess.UNKNOWN: 1}),
    True: table({TechnicalSuccess.YES: 87, TechnicalSuccess.NO: 11, TechnicalSuccess.UNKNOWN: 2}),
}

# Side effects and minor complications (CTCAE 1-2): fever and effusion dominate.
MINOR_EVENTS = table(
    {
        EventType.FEVER: 36,
        EventType.PLEURAL_EFFUSION: 24,
        EventType.THROMBOCYTOPENIA: 9,
        EventType.PNEUMOTHORAX: 7,
        EventType.OTHER_INFECTION: 7,
        EventType.HAEMORRHAGE: 7,
        EventType.RENAL: 5,
        EventType.OTHER: 5,
    }
)
MAJOR_EVENTS = table(
    {
        EventType.HAEMORRHAGE: 25,
        EventType.BILIARY: 18,
        EventType.LIVER_ABSCESS: 15,
        EventType.CRYOSHOCK: 10,
        EventType.PLEURAL_EFFUSION: 8,
        EventType.PNEUMOTHORAX: 7,
        EventType.LIVER_FAILURE: 5,
        EventType.RENAL: 5,
        EventType.ADJACENT_INJURY: 5,
        EventType.OTHER_INFECTION: 2,
    }
)
FATAL_EVENTS = table(
    {EventType.HAEMORRHAGE: 35, EventType.CRYOSHOCK: 30, EventType.LIVER_FAILURE: 35}
)
SIDE_EFFECTS = {EventType.FEVER, EventType.PLEURAL_EFFUSION}
OTHER_EVENTS = ("Pain at the probe site", "Skin cold injury at the probe site", "Nausea")
# (treatment of a minor event, treatment of a major one)
TREATMENTS = {
    EventType.FEVER: ("Paracetamol", "Antibiotics and blood cultures"),
    EventType.PLEURAL_EFFUSION: ("Observation", "Chest drain"),
    EventType.THROMBOCYTOPENIA: ("Observation", "Platelet transfusion"),
    EventType.PNEUMOTHORAX: ("Observation", "Chest drain"),
    EventType.OTHER_INFECTION: ("Oral antibiotics", "Intravenous antibiotics"),
    EventType.HAEMORRHAGE: ("Observation", "Transfusion and embolisation"),
    EventType.RENAL: ("Intravenous fluids", "Intravenous fluids and urine alkalinisation"),
    EventType.BILIARY: ("Observation", "ERCP and biliary stent"),
    EventType.LIVER_ABSCESS: ("Oral antibiotics", "Percutaneous drainage and antibiotics"),
    EventType.CRYOSHOCK: ("Observation", "Intensive care support"),
    EventType.LIVER_FAILURE: ("Observation", "Intensive care support"),
    EventType.ADJACENT_INJURY: ("Observation", "Surgical repair"),
    EventType.OTHER: ("Analgesia", "Analgesia"),
}
# Grades that tell the same story as each CTCAE grade (Complication._check_grades).
CLAVIEN = {1: ("I",), 2: ("II",), 3: ("IIIa", "IIIb"), 4: ("IVa", "IVb"), 5: ("V",)}
CIRSE = {1: (1, 2), 2: (2, 3), 3: (3,), 4: (3, 4), 5: (6,)}
RESOLUTION_DAYS = {1: (1, 5), 2: (2, 14), 3: (5, 30), 4: (10, 60)}


@dataclass(frozen=True)
class Session:
    """What a new procedure needs to know about the patient and the date."""

    day: datetime.date
    horizon: datetime.date  # last day anything can be recorded (as-of, death or loss)
    operator: int
    intent: str
    first: bool
    prior_hepatectomy: bool | None


def procedure(
    draw: Draw, session: Session, tumours: list[TumourPlan], treated: list[int]
) -> ProcedurePlan:
    """Draw a procedure treating the listed tumours, with its adverse events."""
    approach = draw.pick(FIRST_APPROACH if session.first else REPEAT_APPROACH)
    intent = _intent(draw, session, approach)
    cryogen = draw.pick(CRYOGEN)
    plan = ProcedurePlan(
        performed_on=session.day,
        approach=approach,
        image_guidance=_guidance(draw, approach),
        anaesthesia=_anaesthesia(draw, approach),
        cryogen=cryogen,
        device=DEVICES[cryogen],
        operator=session.operator,
        intent=intent,
        consent_documented=draw.chance(0.98),
        combined_with_resection=intent == Intent.ADJUNCT_TO_RESECTION,
        adjuvant_tace=draw.chance(0.08),
        length_of_stay_days=None,
    )
    plan.treatments = [treatment(draw, tumours[index], index) for index in treated]
    large = any(tumours[index].max_diameter_mm >= LARGE_MM for index in treated)
    plan.complications = complications(draw, session, large)
    plan.length_of_stay_days = _length_of_stay(draw, approach, plan.complications)
    return plan


def _intent(draw: Draw, session: Session, approach: str) -> str:
    if not session.first:
        return session.intent
    if approach == Approach.OPEN and draw.chance(0.4):
        return Intent.ADJUNCT_TO_RESECTION
    if session.prior_hepatectomy:
        return Intent.POST_RESECTION_RECURRENCE
    return Intent.PRIMARY


def _guidance(draw: Draw, approach: str) -> str:
    if approach == Approach.PERCUTANEOUS:
        return draw.pick(PERCUTANEOUS_GUIDANCE)
    return ImageGuidance.INTRAOPERATIVE_US


def _anaesthesia(draw: Draw, approach: str) -> str:
    if approach == Approach.PERCUTANEOUS and draw.chance(0.4):
        return Anaesthesia.LOCAL_SEDATION
    return Anaesthesia.GENERAL


def _length_of_stay(draw: Draw, approach: str, events: list[ComplicationPlan]) -> int | None:
    if draw.chance(0.03):
        return None
    days = draw.integer(*STAY_DAYS[approach])
    if any(event.ctcae_grade >= 3 for event in events):
        days += draw.integer(3, 15)  # a major event means admission or a longer stay
    return days


def treatment(draw: Draw, tumour: TumourPlan, index: int) -> TreatmentPlan:
    """Draw how one tumour was frozen: more probes for larger tumours."""
    size = tumour.max_diameter_mm
    cycles = draw.pick(CYCLES)
    minutes = None if draw.chance(0.05) else draw.decimal(8 * cycles, 12 * cycles + size / 10)
    return TreatmentPlan(
        tumour=index,
        probes=min(8, max(1, round(size / 12) + draw.integer(0, 1))),
        freeze_thaw_cycles=cycles,
        total_freeze_minutes=minutes,
        ice_ball_margin_mm=None if draw.chance(0.15) else draw.decimal(4, 12),
        technical_success=draw.pick(SUCCESS[size >= LARGE_MM]),
    )


def complications(draw: Draw, session: Session, large: bool) -> list[ComplicationPlan]:
    """Draw the adverse events of one procedure (most procedures have none)."""
    major = P_MAJOR[large]
    if draw.chance(major):
        grade = 5 if draw.chance(P_FATAL_GIVEN_MAJOR) else (4 if draw.chance(0.2) else 3)
        events = [_event(draw, session, grade)]
        if grade < 5 and draw.chance(0.35):
            events.append(_event(draw, session, draw.integer(1, 2)))
        return events
    if not draw.chance((P_ANY[large] - major) / (1 - major)):
        return []
    count = 2 if draw.chance(0.2) else 1
    return [_event(draw, session, draw.integer(1, 2)) for _ in range(count)]


def _event(draw: Draw, session: Session, grade: int) -> ComplicationPlan:
    if grade == 5:
        kind = draw.pick(FATAL_EVENTS)
    else:
        kind = draw.pick(MAJOR_EVENTS if grade >= 3 else MINOR_EVENTS)
    onset = min(_onset(draw, session.day, grade), session.horizon)
    side_effect = grade <= 2 and kind in SIDE_EFFECTS
    return ComplicationPlan(
        event_type=kind,
        category=EventCategory.SIDE_EFFECT if side_effect else EventCategory.COMPLICATION,
        onset_on=onset,
        ctcae_grade=grade,
        clavien_dindo=draw.one_of(CLAVIEN[grade]) if draw.chance(0.85) else "",
        cirse_grade=draw.one_of(CIRSE[grade]) if draw.chance(0.75) else None,
        treatment="" if draw.chance(0.1) else TREATMENTS[kind][int(grade >= 3)],
        resolved_on=_resolved(draw, onset, grade, session.horizon),
        event_other=draw.one_of(OTHER_EVENTS) if kind == EventType.OTHER else "",
    )


def _onset(draw: Draw, day: datetime.date, grade: int) -> datetime.date:
    if grade < 5 and draw.chance(0.05):
        return draw.days_after(day, 31, 90)  # a delayed event (> 30 days)
    if draw.chance(0.3):
        return day  # immediate
    # Periprocedural events cluster in the first days; fatal ones within 30 days.
    return day + datetime.timedelta(days=min(30, 1 + int(draw.exponential(4))))


def _resolved(
    draw: Draw, onset: datetime.date, grade: int, horizon: datetime.date
) -> datetime.date | None:
    if grade == 5 or draw.chance(0.08):
        return None
    low, high = RESOLUTION_DAYS[grade]
    resolved = draw.days_after(onset, low, high)
    return resolved if resolved <= horizon else None
