"""Money on the wire: Decimal amounts as strings, ISO 4217 currency codes.

The published JSON Schemas describe the serialized form: an amount is a string with exactly two
decimals (``"1210.00"``, ``"-40.00"``), a quantity or unit price a plain decimal string without
exponent (``"10"``, ``"12.5"``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer, WithJsonSchema

AMOUNT_PATTERN = r"^-?[0-9]{1,16}\.[0-9]{2}$"
QUANTITY_PATTERN = r"^-?[0-9]{1,18}(\.[0-9]{1,6})?$"

Amount = Annotated[
    Decimal,
    Field(max_digits=18, decimal_places=2),
    PlainSerializer(lambda d: format(d.quantize(Decimal("0.01")), "f"), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": AMOUNT_PATTERN,
            "description": "decimal amount with two decimals, as a string",
        },
        mode="serialization",
    ),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]

# Quantities and unit prices carry up to six decimals (UBL allows more than cents).
Quantity = Annotated[
    Decimal,
    Field(max_digits=24, decimal_places=6),
    PlainSerializer(lambda d: format(d.normalize(), "f"), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": QUANTITY_PATTERN,
            "description": "decimal number (up to six decimals), as a string",
        },
        mode="serialization",
    ),
]
