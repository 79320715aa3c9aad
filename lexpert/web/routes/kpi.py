"""KPI A and KPI B."""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException

from ...expertise import kpi as K
from ..deps import DB, Caller, agency_scope
from ..schemas import KpiOut

router = APIRouter(prefix="/api", tags=["kpi"])


@router.get("/kpi", response_model=KpiOut)
def kpi(p: Caller, s: DB, date_from: dt.date | None = None, date_to: dt.date | None = None, by: str = "agency",
        as_of: dt.datetime | None = None):
    """KPI A and KPI B (definitions in the response). An agency user sees its own agency only."""
    if by not in K.GROUPS + ("quarter",):
        raise HTTPException(422, f"by must be one of {', '.join(K.GROUPS + ('quarter',))}")
    return K.compute(s, date_from, date_to, by=by, as_of=as_of, agency=agency_scope(p))
