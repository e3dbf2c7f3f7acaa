"""Who may read what credit-service knows: credit standing is for the tenant's own systems and
staff (ERP and ops keys), not for collection agencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from eventkit.api import Principal, require_scope

CreditReader = Annotated[Principal, Depends(require_scope("erp", "ops"))]
