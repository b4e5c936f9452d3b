"""Descriptions of adverse-event grades, shown next to the choices on the complication form.

Paraphrased from the grading systems' general definitions (CTCAE v5.0, NCI
2017; CIRSE classification, Filippiadis et al. 2017), for clinicians picking a
grade between cases; the choice labels in registry/choices.py are the short form.
"""

CTCAE_V5 = {
    "1": "Mild; no or mild symptoms; clinical or diagnostic observation only; "
    "no intervention needed.",
    "2": "Moderate; minimal, local or non-invasive intervention needed; limits "
    "instrumental activities of daily living.",
    "3": "Severe or medically significant but not immediately life-threatening; "
    "admission or a longer stay needed; disabling; limits self-care.",
    "4": "Life-threatening consequences; urgent intervention needed.",
    "5": "Death related to the adverse event.",
}

CIRSE = {
    "1": "Happened during the procedure and was solved in the same session; no "
    "further therapy, no sequelae, normal course afterwards.",
    "2": "Longer observation, e.g. an unplanned overnight stay of under 48 hours; "
    "no further therapy and no sequelae.",
    "3": "Further therapy after the procedure, or a stay longer than 48 hours; no "
    "lasting sequelae.",
    "4": "Permanent mild sequelae (the patient resumes work and independent living).",
    "5": "Permanent severe sequelae (the patient needs ongoing help in daily life).",
    "6": "Death.",
}
