"""Dutch betalingskenmerk and reference scanning in free text."""

from __future__ import annotations

import pytest

from invoice_service.domain.payment_refs import (
    FoundReference,
    find_references,
    nl_payment_reference,
    nl_payment_reference_is_valid,
)

# Weights from the right: 2, 4, 8, 5, 10, 9, 7, 3, 6, 1, repeating.  C = 11 - (sum mod 11),
# 10 -> 1, 11 -> 0.  Hand computations:
#
# 5000056789012345 (Betaalvereniging example), body 000056789012345:
#   5*2 + 4*4 + 3*8 + 2*5 + 1*10 + 0*9 + 9*7 + 8*3 + 7*6 + 6*1 + 5*2 + 0*4 + 0*8 + 0*5 + 0*10
#   = 10 + 16 + 24 + 10 + 10 + 0 + 63 + 24 + 42 + 6 + 10 = 215; 215 mod 11 = 6; C = 5.
# 9002025000000611, body 002025000000611:
#   1*2 + 1*4 + 6*8 + 0*5 + 0*10 + 0*9 + 0*7 + 0*3 + 0*6 + 5*1 + 2*2 + 0*4 + 2*8 + 0*5 + 0*10
#   = 2 + 4 + 48 + 5 + 4 + 16 = 79; 79 mod 11 = 2; C = 9.
# 0000000000001003, body 000000000001003: 3*2 + 0*4 + 0*8 + 1*5 = 11; 11 mod 11 = 0;
#   C = 11 -> 0.
# 1000000000000005, body 000000000000005: 5*2 = 10; 10 mod 11 = 10; C = 1.
# 12234534622567 (14 digits: C=1, length code 2, then 12 digits), body 2234534622567:
#   7*2 + 6*4 + 5*8 + 2*5 + 2*10 + 6*9 + 4*7 + 3*3 + 5*6 + 4*1 + 3*2 + 2*4 + 2*8
#   = 14 + 24 + 40 + 10 + 20 + 54 + 28 + 9 + 30 + 4 + 6 + 8 + 16 = 263; 263 mod 11 = 10;
#   C = 1 -> 1.
# 271234567 (9 digits: C=2, length code 7, then 7 digits), body 71234567:
#   7*2 + 6*4 + 5*8 + 4*5 + 3*10 + 2*9 + 1*7 + 7*3 = 14 + 24 + 40 + 20 + 30 + 18 + 7 + 21
#   = 174; 174 mod 11 = 9; C = 2.
# 102025000431 (12 digits: C=1, length code 0, then 10 digits), body 02025000431:
#   1*2 + 3*4 + 4*8 + 0*5 + 0*10 + 0*9 + 5*7 + 2*3 + 0*6 + 2*1 + 0*2 = 89; 89 mod 11 = 1;
#   C = 10 -> 1.

VALID_NL = [
    "5000056789012345",
    "5000 0567 8901 2345",
    "5000.0567.8901.2345",
    "9002025000000611",
    "0000000000001003",
    "1000000000000005",
    "12234534622567",
    "12 2345 3462 2567",
    "271234567",
    "102025000431",
    "1234567",  # 7 digits carry no check information
    " 5000056789012345 ",
]

INVALID_NL = [
    "6000056789012345",  # check digit off by one
    "5000056789012346",  # last digit changed
    "5000056789012354",  # two digits swapped
    "9002025000000612",
    "1000000000000003",  # body sum 6 -> C = 5, not 1
    "0000000000001004",
    "22234534622567",  # 14 digits, wrong check digit
    "13234534622567",  # 14 digits, length code must be 2 (12 digits follow)
    "281234567",  # 9 digits, length code must be 7
    "12345678",  # 8 digits is not an allowed length
    "500005678901234",  # 15 digits is not an allowed length
    "50000567890123450",  # 17 digits
    "500005678901234A",
    "5000-0567-8901-2345",
    "",
    "   ",
    "123456",
    "５０００056789012345",  # full-width digits are not ASCII digits
]


@pytest.mark.parametrize("ref", VALID_NL)
def test_valid_betalingskenmerk(ref: str) -> None:
    assert nl_payment_reference_is_valid(ref)


@pytest.mark.parametrize("ref", INVALID_NL)
def test_invalid_betalingskenmerk(ref: str) -> None:
    assert not nl_payment_reference_is_valid(ref)


def test_every_single_digit_error_is_detected() -> None:
    # With check digit 5 only one residue is accepted, and every weight is non-zero mod 11,
    # so changing any one digit after the check digit changes the residue.
    ref = "5000056789012345"
    for position in range(1, 16):
        for digit in "0123456789":
            if digit == ref[position]:
                continue
            mutated = ref[:position] + digit + ref[position + 1 :]
            assert not nl_payment_reference_is_valid(mutated), mutated


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("56789012345", "5000056789012345"),
        ("000056789012345", "5000056789012345"),
        ("2025000000611", "9002025000000611"),
        ("1003", "0000000000001003"),
        ("5", "1000000000000005"),
        ("0", "0000000000000000"),
    ],
)
def test_generate_betalingskenmerk(base: str, expected: str) -> None:
    generated = nl_payment_reference(base)
    assert generated == expected
    assert len(generated) == 16
    assert nl_payment_reference_is_valid(generated)


@pytest.mark.parametrize("base", [str(n) * 15 for n in range(10)] + ["1", "987654321012345"])
def test_generated_betalingskenmerk_round_trips(base: str) -> None:
    generated = nl_payment_reference(base)
    assert generated[1:] == base.rjust(15, "0")
    assert nl_payment_reference_is_valid(generated)


@pytest.mark.parametrize("base", ["", "1234567890123456", "12a4", "12 34", "-123", "١٢٣"])
def test_generate_betalingskenmerk_rejects_bad_input(base: str) -> None:
    with pytest.raises(ValueError):
        nl_payment_reference(base)


# --- find_references -------------------------------------------------------------------

OGM = "+++025/0310/04287+++"  # 0250310042 mod 97 = 87


def ogm(value: str) -> FoundReference:
    return FoundReference("ogm", value)


def rf(value: str) -> FoundReference:
    return FoundReference("rf", value)


def nl(value: str) -> FoundReference:
    return FoundReference("nl", value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Betaling factuur +++025/0310/04287+++ dank u", [ogm(OGM)]),
        ("mededeling:+++025/0310/04287+++.", [ogm(OGM)]),
        ("***025/0310/04287***", [ogm(OGM)]),
        ("+++ 025 / 0310 / 04287 +++", [ogm(OGM)]),
        ("+++025031004287+++", [ogm(OGM)]),
        ("OGM 025/0310/04287 INV-2025-0042", [ogm(OGM)]),
        ("ref 025031004287, klant 1187", [ogm(OGM)]),
        ("(025031004287)", [ogm(OGM)]),
        # *** and +++ must not be mixed
        ("+++025/0310/04287***", [ogm(OGM)]),  # the slashed digits alone still count
        ("+++025/0310/04288+++", []),  # checksum 88 is wrong
        ("025031004288", []),
        ("025/0310/04288", []),
        # a valid-looking number glued to letters or digits is part of something else
        ("INV025031004287", []),
        ("0250310042870", []),
        ("2025/0310/04287", []),
        # a Belgian account number inside an IBAN passes mod 97 but is not an OGM
        ("IBAN BE68539007547034 BIC GEBABEBB", []),
    ],
)
def test_find_ogm(text: str, expected: list[FoundReference]) -> None:
    assert find_references(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RF18539007547034", [rf("RF18539007547034")]),
        ("ref RF38 2025 INV0 043 dank u", [rf("RF382025INV0043")]),
        ("rf18 5390 0754 7034", [rf("RF18539007547034")]),
        ("Factuur/RF1325310048/2025", [rf("RF1325310048")]),
        ("RF18 5390 0754 7034 2025", [rf("RF18539007547034")]),  # trailing year ignored
        # "RF18539007547034DANKU" happens to pass mod 97: words are not reference groups
        ("Ref RF18 5390 0754 7034 dank u wel", [rf("RF18539007547034")]),
        ("RF18 5390 0754 7034 DANK U", [rf("RF18539007547034")]),
        ("RF18 5390 0754 7034 INV-2025", [rf("RF18539007547034")]),
        ("RF18539007547034 5390", [rf("RF18539007547034")]),
        ("RF18 5390 0754 7034 U", [rf("RF18539007547034")]),
        ("RF19539007547034", []),  # wrong check digits
        ("RF18 5390 0754 7035", []),
        ("PERF18539007547034", []),  # glued to a word
        ("RF", []),
        ("RF18", []),
    ],
)
def test_find_rf(text: str, expected: list[FoundReference]) -> None:
    assert find_references(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Betalingskenmerk 5000056789012345", [nl("5000056789012345")]),
        ("kenmerk: 5000 0567 8901 2345 factuur 12", [nl("5000056789012345")]),
        ("kenmerk 9002.0250.0000.0611.", [nl("9002025000000611")]),
        ("5000056789012346", []),  # wrong check digit
        ("6000 0567 8901 2345", []),
        ("5000 0567.8901 2345", []),  # mixed separators are not a printed reference
        ("50000567890123451", []),  # 17 digits
        ("150000567890123450", []),  # 18 digits
        # the 16 digits inside a spaced (foreign) IBAN pass mod 11 but belong to the IBAN
        ("IBAN DE89 5000 0567 8901 2345 00", []),
        ("IBAN DE89 5000 0567 8901 2345", []),
        ("5000 0567 8901 2345 00", []),
        # short (7, 9-14 digit) references are too ambiguous to pick out of free text
        ("kenmerk 271234567", []),
    ],
)
def test_find_nl(text: str, expected: list[FoundReference]) -> None:
    assert find_references(text) == expected


def test_find_several_kinds_in_order_of_appearance_without_duplicates() -> None:
    text = (
        "Betaling facturen: RF18 5390 0754 7034 en +++025/0310/04388+++ "
        "(ook 025031005196; fout +++025/0310/05197+++), NL kenmerk 9002025000000611, "
        "nogmaals +++025/0310/04388+++ en RF13 2531 0048 / RF13 2531 0049."
    )
    assert find_references(text) == [
        rf("RF18539007547034"),
        ogm("+++025/0310/04388+++"),
        ogm("+++025/0310/05196+++"),
        nl("9002025000000611"),
        rf("RF1325310048"),
    ]


def test_find_nothing() -> None:
    assert find_references("") == []
    assert find_references("Factuur INV-2025-0043 klantnr 10087 - 14/03/2025 EUR 845,20") == []


def test_found_reference_values_are_normalised() -> None:
    found = find_references("***025 0310 04287*** rf13 2531 0048, 5000.0567.8901.2345")
    assert [(r.kind, r.value) for r in found] == [
        ("ogm", "+++025/0310/04287+++"),
        ("rf", "RF1325310048"),
        ("nl", "5000056789012345"),
    ]
