"""Disease markers at follow-up: CEA and the RECIST 1.1 overall response."""

from __future__ import annotations

import math
from decimal import Decimal

from registry.choices import FollowUpKind, Recist
from registry.demo.draw import Draw, table

# Xu 2008, patients with CT follow-up: CR 14.6, PR 41.1, SD 24.3, PD 20.0%. A scan
# shows progression when it finds local progression or new tumours, which happens
# at about a sixth of scans; otherwise it shows the patient's response.
RESPONSE = table({Recist.CR: 14.6, Recist.PR: 41.1, Recist.SD: 24.3})
# Xu 2008: raised CEA normal at 3 months in 77.5%; set higher because early
# progression keeps some of these patients' CEA up.
P_CEA_NORMALISES = 0.82
CEA_UPPER_NORMAL = 5.0  # ng/mL
P_CEA_NOT_MEASURED = 0.12


class Markers:
    """Draw one patient's CEA values and scan responses over follow-up."""

    def __init__(self, draw: Draw, baseline_cea: Decimal | None) -> None:
        self.draw = draw
        self.response = draw.pick(RESPONSE)
        self.rise = 1.0  # grows with each progression, as CEA climbs with disease
        self.baseline = None if baseline_cea is None else float(baseline_cea)
        self.normalises = False
        self.nadir = 0.0
        if self.baseline is not None:
            self.nadir = self._nadir(self.baseline)

    def _nadir(self, baseline: float) -> float:
        if baseline < CEA_UPPER_NORMAL:
            return baseline * self.draw.uniform(0.6, 1.0)
        self.normalises = self.draw.chance(P_CEA_NORMALISES)
        if self.normalises:
            return self.draw.lognormal(2.5, 0.35, 0.5, 4.9)
        return max(5.5, baseline * self.draw.uniform(0.4, 1.0))

    def recist(self, progressed: bool, extrahepatic: bool) -> str:
        """Return the overall response at a scan: progression when something new shows."""
        if progressed:
            return Recist.PD
        if self.draw.chance(0.03):
            return Recist.NE
        if extrahepatic and self.response == Recist.CR:
            return Recist.PR  # disease outside the liver rules out a complete response
        return self.response

    def cea(self, visit: int, kind: str, progressed: bool) -> Decimal | None:
        """Return the CEA measured at a visit (the first is 1 month, the second 3 months)."""
        if progressed:
            self.rise *= self.draw.uniform(1.3, 1.8)
        if self.baseline is None or kind == FollowUpKind.TELEPHONE:
            return None
        if self.draw.chance(P_CEA_NOT_MEASURED):
            return None
        if visit == 0:
            value = math.sqrt(self.baseline * self.nadir)  # halfway down at 1 month
        else:
            value = self.nadir * self.draw.uniform(0.85, 1.15)
        value *= self.rise
        if self.normalises and self.rise == 1.0:
            value = min(value, CEA_UPPER_NORMAL - 0.1)
        return Decimal(f"{max(0.5, value):.1f}")
