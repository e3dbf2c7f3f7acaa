"""Money on the wire: Decimal amounts as strings, ISO 4217 currency codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

Amount = Annotated[
    Decimal,
    Field(max_digits=18, decimal_places=2),
    PlainSerializer(lambda d: format(d.quantize(Decimal("0.01")), "f"), return_type=str),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]

# Quantities and unit prices carry up to six decimals (UBL allows more than cents).
Quantity = Annotated[
    Decimal,
    Field(max_digits=24, decimal_places=6),
    PlainSerializer(lambda d: format(d.normalize(), "f"), return_type=str),
]
