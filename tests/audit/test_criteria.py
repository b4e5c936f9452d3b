"""NICE HTG241 audit criteria and data completeness, by hand count."""

from audit.dashboard import get_dashboard
from audit.metrics import make_period
from tests.audit.builders import AS_OF, DAY0, days, death, follow_up, treated_patient
from tests.factories import SiteFactory


def _board(*sites, start=None):
    return get_dashboard(site_ids=[s.pk for s in sites], period=make_period(start, None, AS_OF))


def _criterion(board, key):
    row = next(row for row in board.criteria if row.key == key)
    return row.k, row.n


def test_mdt_and_information_must_precede_the_first_cryotherapy(site_a):
    treated_patient(site_a)  # both before: meets both
    treated_patient(site_a, mdt_date=DAY0 + days(1))  # MDT after the procedure
    treated_patient(site_a, mdt_date=None, written_information_date=None)
    treated_patient(site_a, alternatives_discussed=False)  # alternatives not discussed
    treated_patient(site_a, alternatives_discussed=None)
    board = _board(site_a)
    assert _criterion(board, "mdt") == (3, 5)
    assert _criterion(board, "information") == (2, 5)


def test_consent_is_counted_per_procedure(site_a):
    _, procedure, _ = treated_patient(site_a)
    procedure.consent_documented = False
    procedure.save()
    treated_patient(site_a)
    treated_patient(site_a, on=AS_OF - days(3))  # counts although its 30 days are not over
    assert _criterion(_board(site_a), "consent") == (2, 3)


def test_governance_lead_is_counted_per_site(site_a):
    silent = SiteFactory(code="SITE-C", governance_lead_informed_on=None)
    board = _board(site_a, silent)
    assert _criterion(board, "governance") == (1, 2)
    assert next(r for r in board.criteria if r.key == "governance").met is False


def test_tumours_over_4_cm_are_flagged_with_their_reasons(site_a):
    _, _, (large, _) = treated_patient(site_a, diameters=(41, 40))  # 40 mm is the limit
    large.size_exception_reason = "Surgery declined; MDT agreed"
    large.save()
    treated_patient(site_a, diameters=(60,))
    board = _board(site_a)
    row = next(r for r in board.criteria if r.key == "size")
    assert (row.k, row.n) == (2, 3)
    assert row.note == "1 of 2 with a reason recorded."
    assert row.met is None  # a local standard, no threshold


def test_outcome_follow_up_counts_follow_ups_after_3_months_or_early_deaths(site_a):
    seen, _, _ = treated_patient(site_a)
    follow_up(seen, on=DAY0 + days(90))  # at 90 days: counts
    early_only, _, _ = treated_patient(site_a)
    follow_up(early_only, on=DAY0 + days(60))  # too early
    died, _, _ = treated_patient(site_a)
    death(died, on=DAY0 + days(50))  # died before 3 months: counts
    treated_patient(site_a, on=AS_OF - days(60))  # not yet due: excluded
    assert _criterion(_board(site_a), "follow_up") == (2, 3)


def test_completeness_counts_missing_required_items(site_a):
    treated_patient(site_a, baseline_cea=None, mdt_date=None, technical_success="unknown")
    treated_patient(site_a, diameters=(50,))  # over 4 cm without a reason; no imaging yet
    rows = {row.item: (row.missing, row.n) for row in _board(site_a).completeness}
    assert rows["MDT date"] == (1, 2)
    assert rows["Baseline CEA"] == (1, 2)
    assert rows["Technical success (yes/no)"] == (1, 2)
    assert rows["Operator"] == (2, 2)
    assert rows["Reason for treating a tumour over 4 cm"] == (1, 1)
    assert rows["Imaging assessment by the end of the efficacy window"] == (2, 2)


def test_overdue_follow_ups_use_the_derived_due_date_and_a_grace_period(site_a, site_b):
    for due in (AS_OF - days(15), AS_OF - days(14), AS_OF + days(30), None):
        patient, _, _ = treated_patient(site_a)
        patient.next_follow_up_due = due
        patient.save()
    treated_patient(site_b)
    rows = {
        row.site: (row.overdue, row.scheduled, row.patients)
        for row in _board(site_a, site_b).overdue
    }
    assert rows == {"SITE-A": (1, 3, 4), "SITE-B": (0, 0, 1)}
