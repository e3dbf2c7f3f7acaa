"""Lays out the bank statement files of the conformance corpus that are not verbatim copies of
published examples. Each follows its format's published layout:

* CODA: Febelfin, "Coded statement of account (CODA)", standard version 2.6 — records 0, 1,
  2.1, 2.2, 2.3, 4, 8, 9 at the positions the standard gives;
* MT940: ING "Mijn ING Zakelijk MT940 Structured" (``:86:`` with ``/EREF/ /CNTP/ /REMI/STRD/CUR/
  /RTRN/``), Rabobank "MT940 Structured" (``/EREF/ /ORDP/ /NAME/ /REMI/ /CDTRREFTP/ /CDTRREF/``,
  counterparty IBAN on the second line of ``:61:``), ABN AMRO MT940 (``/TRTP/ /IBAN/ /BIC/ /NAME/
  /REMI/ /EREF/`` and the older labelled layout ``IBAN: … NAAM: … OMSCHRIJVING: …``);
* camt.053: ISO 20022 camt.053.001.02 and .001.08 as the Belgian and Dutch banks' implementation
  guides use them (Strd/CdtrRefInf with Issr BBA/CUR/ISO, RvslInd, RtrInf).

Balances, record counts and trailer totals are computed, so the files are internally
consistent. Regenerate with:

    uv run python services/invoice-service/tests/conformance/statements/build_fixtures.py
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).parent
D = Decimal


@dataclass
class Tx:
    """One movement, in the terms all three formats share."""

    amount: Decimal
    credit: bool = True
    ogm: str | None = None  # CODA type 101 / camt Issr BBA
    structured: tuple[str, str] | None = None  # (issuer, reference) e.g. ("CUR", "5000…")
    text: str = ""
    end_to_end: str = ""
    iban: str = ""
    name: str = ""
    bank_reference: str = ""
    reversal: bool = False
    reason: str = ""
    details: list[Tx] = field(default_factory=list)  # a globalised total's details


# --- CODA ---------------------------------------------------------------------------------------

CODA_ACCOUNT = "BE68539007547034"
CODA_HOLDER = "VANHOUTTE KANTOORINRICHTING"


def _coda_amount(value: Decimal) -> str:
    return f"{int(value * 1000):015d}"


def _check(line: str) -> str:
    assert len(line) == 128, (len(line), line)
    return line


def _coda_movement(tx: Tx, sequence: int, detail: int, kind: str, day: str) -> list[str]:
    seq, det = f"{sequence:04d}", f"{detail:04d}"
    code = kind + ("01" if tx.credit else "05") + ("50" if tx.credit else "01") + "000"
    if tx.ogm:
        comm_type, comm = "1", ("101" + tx.ogm).ljust(53)
    else:
        comm_type, comm = "0", tx.text[:53].ljust(53)
    has_22 = bool(tx.end_to_end or tx.reversal or len(tx.text) > 53)
    has_23 = bool(tx.iban or tx.name)
    r_type = "2" if tx.reversal else " "
    globalised = "1" if tx.details else "0"
    lines = [
        "21"
        + seq
        + det
        + tx.bank_reference.ljust(21)
        + ("0" if tx.credit else "1")
        + _coda_amount(tx.amount)
        + day
        + code
        + comm_type
        + comm
        + day
        + "052"
        + globalised
        + ("1" if has_22 or has_23 else "0")
        + " "
        + "0"
    ]
    if has_22 or has_23:
        lines.append(
            "22"
            + seq
            + det
            + tx.text[53:106].ljust(53)
            + tx.end_to_end.ljust(35)
            + " " * 11
            + "   "
            + r_type
            + tx.reason.ljust(4)
            + " " * 8
            + ("1" if has_23 else "0")
            + " "
            + "0"
        )
    if has_23:
        account = tx.iban.ljust(34) + "EUR" if tx.iban else " " * 37
        lines.append(
            "23" + seq + det + account + tx.name[:35].ljust(35) + " " * 43 + "0" + " " + "0"
        )
    return [_check(line) for line in lines]


def coda(created: str, opening: Decimal, txs: list[Tx], version: str = "2") -> list[str]:
    body: list[str] = []
    for sequence, tx in enumerate(txs, start=1):
        body += _coda_movement(tx, sequence, 0, "2" if tx.details else "0", created)
        for detail, part in enumerate(tx.details, start=1):
            body += _coda_movement(part, sequence, detail, "6", created)
    closing = opening + sum((t.amount if t.credit else -t.amount for t in txs), D(0))
    debit = sum((t.amount for t in txs if not t.credit), D(0))
    credit = sum((t.amount for t in txs if t.credit), D(0))
    header = (
        "0"
        + "0000"
        + created
        + "539"
        + "05"
        + " "
        + " " * 7
        + "0000052".ljust(10)
        + CODA_HOLDER[:26].ljust(26)
        + "GKCCBEBB".ljust(11)
        + "00412345678"
        + " "
        + "00000"
        + " " * 39
        + version
    )
    old = (
        "12052"
        + CODA_ACCOUNT
        + " " * 18
        + "EUR"
        + ("0" if opening >= 0 else "1")
        + _coda_amount(abs(opening))
        + created
        + CODA_HOLDER[:26].ljust(26)
        + "Zichtrekening".ljust(35)
        + "052"
    )
    new = (
        "8052"
        + CODA_ACCOUNT
        + " " * 18
        + "EUR"
        + ("0" if closing >= 0 else "1")
        + _coda_amount(abs(closing))
        + created
        + " " * 64
        + "0"
    )
    lines = [_check(header), _check(old), *body, _check(new)]
    trailer = (
        "9"
        + " " * 15
        + f"{len(lines) - 1:06d}"
        + _coda_amount(debit)
        + _coda_amount(credit)
        + " " * 75
        + "2"
    )
    return [*lines, _check(trailer)]


# --- MT940 ------------------------------------------------------------------------------------


def _comma(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _wrap(text: str, width: int = 65) -> list[str]:
    first = ":86:" + text
    lines = [first[:width]]
    rest = first[width:]
    while rest:
        lines.append(rest[:width])
        rest = rest[width:]
    return lines


def mt940(
    bank: str, account: str, day: str, opening: Decimal, txs: list[Tx], reference: str
) -> list[str]:
    """``day`` is YYMMDD."""
    closing = opening + sum((t.amount if t.credit else -t.amount for t in txs), D(0))
    if bank == "ING":
        lines = ["{1:F01INGBNL2ABXXX0000000000}", "{2:I940INGBNL2AXXXN}", "{4:"]
    elif bank == "RABO":
        lines = [":940:"]
    else:
        lines = ["ABNANL2A", "940", "ABNANL2A"]
    lines += [
        f":20:{reference}",
        f":25:{account}",
        ":28C:00001",
        f":60F:C{day}EUR{_comma(opening)}",
    ]
    for index, tx in enumerate(txs, start=1):
        if tx.reversal and bank == "RABO":  # RC: a credit taken back; RD: a debit taken back
            mark = "RD" if tx.credit else "RC"
        else:
            mark = "C" if tx.credit else "D"
        if bank == "ING":
            kind = "NRTI" if tx.reason else "NTRF"
            ref = tx.bank_reference or f"{index:014d}"
            lines += [
                f":61:{day}{day[2:]}{mark}{_comma(tx.amount)}{kind}EREF//{ref}",
                "/TRCD/00100/",
            ]
            parts = []
            if tx.reason:
                parts.append(f"/RTRN/{tx.reason}")
            if tx.end_to_end:
                parts.append(f"/EREF/{tx.end_to_end}")
            if tx.iban:
                parts.append(f"/CNTP/{tx.iban}/INGBNL2A/{tx.name}/AMSTERDAM")
            if tx.structured:
                parts.append(f"/REMI/STRD/{tx.structured[0]}/{tx.structured[1]}/")
            else:
                parts.append(f"/REMI/USTD//{tx.text}/")
            lines += _wrap("/".join(parts))
        elif bank == "RABO":
            lines += [f":61:{day}{mark}{tx.amount:015.2f}".replace(".", ",") + "N541NONREF"]
            if tx.iban:
                lines.append(tx.iban)
            parts = [f"/EREF/{tx.end_to_end or 'NOTPROVIDED'}", f"/ORDP//NAME/{tx.name}"]
            if tx.reason:
                parts.append(f"/RTRN/{tx.reason}")
            if tx.structured:
                parts.append(
                    f"/REMI//CDTRREFTP//CD/SCOR/ISSR/{tx.structured[0]}/CDTRREF/{tx.structured[1]}"
                )
            else:
                parts.append(f"/REMI/{tx.text}")
            lines += _wrap("/".join(parts) + f"//ISDT/20{day[:2]}-{day[2:4]}-{day[4:]}")
        else:
            lines.append(f":61:{day}{day[2:]}{mark}{_comma(tx.amount)}N654NONREF")
            if tx.text.startswith("LABELLED "):
                lines += _wrap(tx.text[len("LABELLED ") :])
            else:
                remi = tx.structured[1] if tx.structured else tx.text
                lines += _wrap(
                    f"/TRTP/SEPA OVERBOEKING/IBAN/{tx.iban}/BIC/RABONL2U/NAME/{tx.name}"
                    f"/REMI/{remi}/EREF/{tx.end_to_end or 'NOTPROVIDED'}"
                )
    lines.append(f":62F:C{day}EUR{_comma(closing)}")
    if bank == "ING":
        lines.append("-}")
    return lines


# --- camt.053 ---------------------------------------------------------------------------------


def camt(version: str, account: str, day: str, txs: list[Tx], statement_id: str) -> str:
    v08 = version == "08"
    ns = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
    entries = []
    for index, tx in enumerate(txs, start=1):
        status = "<Sts><Cd>BOOK</Cd></Sts>" if v08 else "<Sts>BOOK</Sts>"
        indicator = "CRDT" if tx.credit else "DBIT"
        details = tx.details or [tx]
        tx_xml = "".join(_camt_tx(part, v08, indicator) for part in details)
        entries.append(
            f'<Ntry><NtryRef>{index:04d}</NtryRef><Amt Ccy="EUR">{tx.amount:.2f}</Amt>'
            f"<CdtDbtInd>{indicator}</CdtDbtInd>"
            + ("<RvslInd>true</RvslInd>" if tx.reversal else "")
            + f"{status}<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
            f"<AcctSvcrRef>{tx.bank_reference or statement_id + f'-{index:04d}'}</AcctSvcrRef>"
            "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly>"
            f"</Domn></BkTxCd><NtryDtls>{tx_xml}</NtryDtls></Ntry>"
        )
    created = f"{day}T06:00:00+01:00"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ns}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>{created}</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{statement_id}</Id><CreDtTm>{created}</CreDtTm>"
        f"<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        + "".join(entries)
        + "</Stmt></BkToCstmrStmt></Document>\n"
    )


def _camt_tx(tx: Tx, v08: bool, indicator: str) -> str:
    refs = f"<Refs><EndToEndId>{escape(tx.end_to_end or 'NOTPROVIDED')}</EndToEndId></Refs>"
    amount = f'<Amt Ccy="EUR">{tx.amount:.2f}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
    amount += f'<AmtDtls><TxAmt><Amt Ccy="EUR">{tx.amount:.2f}</Amt></TxAmt></AmtDtls>'
    parties = ""
    if tx.name or tx.iban:
        name = f"<Pty><Nm>{escape(tx.name)}</Nm></Pty>" if v08 else f"<Nm>{escape(tx.name)}</Nm>"
        account = f"<DbtrAcct><Id><IBAN>{tx.iban}</IBAN></Id></DbtrAcct>" if tx.iban else ""
        parties = f"<RltdPties><Dbtr>{name}</Dbtr>{account}</RltdPties>"
    remittance = ""
    if tx.ogm or tx.structured:
        issuer, ref = ("BBA", tx.ogm) if tx.ogm else tx.structured  # type: ignore[misc]
        remittance = (
            "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry>"
            f"<Issr>{issuer}</Issr></Tp><Ref>{ref}</Ref></CdtrRefInf></Strd></RmtInf>"
        )
    elif tx.text:
        remittance = f"<RmtInf><Ustrd>{escape(tx.text)}</Ustrd></RmtInf>"
    returned = f"<RtrInf><Rsn><Cd>{tx.reason}</Cd></Rsn></RtrInf>" if tx.reason else ""
    return f"<TxDtls>{refs}{amount}{parties}{remittance}{returned}</TxDtls>"


# --- the corpus files ---------------------------------------------------------------------------


def write(name: str, lines: list[str] | str, encoding: str = "utf-8", newline: str = "\n") -> None:
    text = lines if isinstance(lines, str) else newline.join(lines) + newline
    (HERE / name).write_bytes(text.encode(encoding))


def main() -> None:
    # CODA (tenant t-be): an earlier statement, then one with every kind of movement
    prior = [
        Tx(
            D("60.00"),
            ogm="260120000486",
            end_to_end="E2E-CODA-EARLIER",
            bank_reference="0519CODA0001",
            iban="BE71096123456769",
            name="Brouwerij De Klok BV",
        ),
        Tx(
            D("75.00"),
            ogm="260120000587",
            bank_reference="0519CODA0002",
            iban="BE43068999999501",
            name="Garage Vermeulen",
        ),
        Tx(
            D("75.00"),
            ogm="260120000688",
            bank_reference="0519CODA0003",
            iban="BE02363098765440",
            name="Bakkerij Peeters",
        ),
    ]
    write("coda-be-prior.cod", coda("190126", D("10000.00"), prior), "cp1252", "\r\n")
    movements = [
        Tx(
            D("1250.00"),
            ogm="260120000183",
            bank_reference="0526CODA0001",
            end_to_end="E2E-CODA-0001",
            iban="BE71096123456769",
            name="Brouwerij De Klok BV",
        ),
        Tx(
            D("845.20"),
            text="Betaling factuur 2026/0042 dank u",
            bank_reference="0526CODA0002",
            iban="BE02363098765440",
            name="Bakkerij Peeters",
        ),
        Tx(
            D("400.00"),
            bank_reference="0526CODA0003",
            details=[
                Tx(
                    D("150.00"),
                    ogm="260120000284",
                    bank_reference="0526CODA0003",
                    iban="BE43068999999501",
                    name="Garage Vermeulen",
                ),
                Tx(
                    D("250.00"),
                    ogm="407368974952",
                    bank_reference="0526CODA0003",
                    iban="BE43068999999501",
                    name="Garage Vermeulen",
                ),
            ],
        ),
        Tx(
            D("60.00"),
            credit=False,
            reversal=True,
            reason="MD06",
            end_to_end="E2E-CODA-EARLIER",
            bank_reference="0526CODA0004",
            iban="BE71096123456769",
            name="Brouwerij De Klok BV",
        ),
        Tx(D("75.00"), credit=False, reversal=True, reason="AC06", bank_reference="0526CODA0005"),
        Tx(
            D("300.00"),
            credit=False,
            text="Huur februari",
            bank_reference="0526CODA0006",
            iban="BE02363098765440",
            name="Verhuur NV",
        ),
    ]
    lines = coda("200126", D("10210.00"), movements)
    write("coda-be-2x.cod", lines, "cp1252", "\r\n")
    write("coda-truncated.cod", lines[:9], "cp1252", "\r\n")
    write(
        "coda-record-missing.cod", [ln for ln in lines if not ln.startswith("23")], "cp1252", "\r\n"
    )
    write("coda-version-1.cod", coda("200126", D("0"), [], version="1"), "cp1252", "\r\n")

    # MT940 ING (tenant t-nl)
    ing_account = "NL69INGB0123456789EUR"
    write(
        "ing-nl-prior.sta",
        mt940(
            "ING",
            ing_account,
            "260119",
            D("1000.00"),
            [
                Tx(
                    D("60.00"),
                    structured=("CUR", "4761142344336336"),
                    end_to_end="E2E-ING-EARLIER",
                    iban="NL79INGB0000004321",
                    name="Klant Een BV",
                    bank_reference="00000000002001",
                ),
                Tx(
                    D("75.00"),
                    text="Factuur ST-ING-0004",
                    iban="NL79INGB0000004321",
                    name="Klant Een BV",
                    bank_reference="00000000002002",
                ),
                Tx(
                    D("75.00"),
                    text="Factuur ST-ING-0005",
                    iban="NL36INGB0007654321",
                    name="Klant Twee BV",
                    bank_reference="00000000002003",
                ),
            ],
            "P260119000000001",
        ),
    )
    ing = mt940(
        "ING",
        ing_account,
        "260120",
        D("1210.00"),
        [
            Tx(
                D("250.00"),
                structured=("CUR", "5456429317411770"),
                end_to_end="E2E-ING-0001",
                iban="NL79INGB0000004321",
                name="Klant Een BV",
                bank_reference="00000000003001",
            ),
            Tx(
                D("99.95"),
                text="Factuur ST-ING-0002 dank u",
                iban="NL36INGB0007654321",
                name="Klant Twee BV",
                bank_reference="00000000003002",
            ),
            Tx(
                D("60.00"),
                credit=False,
                reversal=True,
                reason="MD06",
                end_to_end="E2E-ING-EARLIER",
                iban="NL79INGB0000004321",
                name="Klant Een BV",
                bank_reference="00000000003003",
            ),
            Tx(
                D("75.00"),
                credit=False,
                reversal=True,
                reason="AC06",
                bank_reference="00000000003004",
                text="",
            ),
            Tx(
                D("20.00"),
                credit=True,
                reversal=True,
                reason="AC04",
                iban="NL44RABO0123456789",
                name="Leverancier BV",
                text="retour betaling",
                bank_reference="00000000003005",
            ),
            Tx(
                D("300.00"),
                credit=False,
                text="Huur januari",
                iban="NL44RABO0123456789",
                name="Verhuur BV",
                bank_reference="00000000003006",
            ),
        ],
        "P260120000000001",
    )
    write("ing-nl.sta", ing)
    write("ing-truncated.sta", ing[: ing.index(next(ln for ln in ing if ln.startswith(":62F:")))])

    # MT940 Rabobank (tenant t-nl)
    write(
        "rabobank-nl.sta",
        mt940(
            "RABO",
            "NL44RABO0123456789 EUR",
            "260120",
            D("5000.00"),
            [
                Tx(
                    D("180.00"),
                    structured=("CUR", "1104723393860865"),
                    end_to_end="RABO-E2E-1",
                    iban="NL79INGB0000004321",
                    name="Klant Drie BV",
                ),
                Tx(
                    D("42.50"),
                    text="Factuur ST-RABO-0002",
                    iban="NL79INGB0000004321",
                    name="Klant Drie BV",
                ),
                Tx(
                    D("33.00"),
                    text="Factuur ST-RABO-0003",
                    end_to_end="RABO-E2E-7",
                    iban="NL36INGB0007654321",
                    name="Klant Vier BV",
                ),
                Tx(
                    D("33.00"),
                    credit=False,
                    reversal=True,
                    end_to_end="RABO-E2E-7",
                    reason="MS02",
                    iban="NL36INGB0007654321",
                    name="Klant Vier BV",
                    text="terugboeking",
                ),
                Tx(
                    D("12.00"),
                    credit=True,
                    reversal=True,
                    text="storno incasso",
                    iban="NL39RABO0300065264",
                    name="Energie BV",
                ),
            ],
            "940S260120",
        ),
    )

    # MT940 ABN AMRO (tenant t-nl): SEPA subfields and the older labelled layout
    write(
        "abnamro-nl.sta",
        mt940(
            "ABN",
            "NL02ABNA0123456789",
            "260120",
            D("1000.00"),
            [
                Tx(
                    D("310.00"),
                    structured=("CUR", "1989660601104021"),
                    iban="NL93RABO0987654321",
                    name="KLANT VIJF",
                ),
                Tx(
                    D("64.00"),
                    text="LABELLED SEPA OVERBOEKING                 IBAN: NL93RABO0987654321"
                    "        BIC: RABONL2U        NAAM: KLANT VIJF                  OMSCHRIJVING: "
                    "FACTUUR ST-ABN-0002               KENMERK: NOTPROVIDED",
                ),
                Tx(
                    D("18.15"),
                    text="LABELLED SEPA ACCEPTGIRO                  IBAN: NL93RABO0987654321"
                    "        BIC: RABONL2U        NAAM: KLANT VIJF                  "
                    "BETALINGSKENM.: 6941 5011 5026 2590",
                ),
                Tx(
                    D("7.50"),
                    text="LABELLED GIRO   1234567 J. JANSEN                    BETALING ONBEKEND"
                    "  IBAN: NL93RABO0987654321",
                ),
            ],
            "ABN AMRO BANK NV",
        ),
    )

    # every generated scheme quoted in the formats of the other countries' banks
    write(
        "coda-de-rf.cod",
        coda(
            "210126",
            D("500.00"),
            [
                Tx(
                    D("595.00"),
                    text="Rechnung RF68STCODADEGEN",
                    bank_reference="0527CODA0001",
                    iban="DE89370400440532013000",
                    name="Kunde GmbH",
                ),
            ],
        ),
        "cp1252",
        "\r\n",
    )
    write(
        "coda-nl-betalingskenmerk.cod",
        coda(
            "210126",
            D("500.00"),
            [
                Tx(
                    D("121.00"),
                    text="betalingskenmerk 5013 5057 8877 8798",
                    bank_reference="0527CODA0002",
                    iban="NL79INGB0000004321",
                    name="Klant Een BV",
                ),
            ],
        ),
        "cp1252",
        "\r\n",
    )
    write(
        "ing-de-rf.sta",
        mt940(
            "ING",
            "NL69INGB0123456789EUR",
            "260121",
            D("100.00"),
            [
                Tx(
                    D("714.00"),
                    structured=("ISO", "RF53STINGDEGEN"),
                    end_to_end="E2E-ING-DE-1",
                    iban="DE89370400440532013000",
                    name="Kunde GmbH",
                    bank_reference="00000000004001",
                ),
            ],
            "P260121000000001",
        ),
    )
    write(
        "ing-be-ogm.sta",
        mt940(
            "ING",
            "NL69INGB0123456789EUR",
            "260121",
            D("100.00"),
            [
                Tx(
                    D("363.00"),
                    text="+++311/8176/76925+++",
                    end_to_end="E2E-ING-BE-1",
                    iban="BE71096123456769",
                    name="Brouwerij De Klok BV",
                    bank_reference="00000000004002",
                ),
            ],
            "P260121000000002",
        ),
    )

    # camt.053 .001.02 (tenant t-be) and .001.08 (tenants t-nl, t-de)
    write(
        "camt-v02-be.xml",
        camt(
            "02",
            "BE68539007547034",
            "2026-01-21",
            [
                Tx(
                    D("410.00"),
                    ogm="260120000789",
                    end_to_end="E2E-CAMT-BE-1",
                    iban="BE71096123456769",
                    name="Brouwerij De Klok BV",
                    bank_reference="CAMT-BE-0001",
                ),
                Tx(
                    D("500.00"),
                    bank_reference="CAMT-BE-0002",
                    details=[
                        Tx(
                            D("200.00"),
                            ogm="614068819079",
                            end_to_end="E2E-CAMT-BE-2",
                            iban="BE43068999999501",
                            name="Garage Vermeulen",
                        ),
                        Tx(
                            D("300.00"),
                            text="factuur ST-CAMT-BE-0003",
                            iban="BE43068999999501",
                            name="Garage Vermeulen",
                        ),
                    ],
                ),
                Tx(
                    D("410.00"),
                    credit=False,
                    reversal=True,
                    reason="AC06",
                    end_to_end="E2E-CAMT-BE-1",
                    iban="BE71096123456769",
                    name="Brouwerij De Klok BV",
                    bank_reference="CAMT-BE-0003",
                ),
                Tx(
                    D("88.00"),
                    credit=False,
                    reversal=True,
                    reason="MD06",
                    bank_reference="CAMT-BE-0004",
                ),
            ],
            "BE68539007547034-2026-021",
        ),
    )
    write(
        "camt-v08-nl.xml",
        camt(
            "08",
            "NL69INGB0123456789",
            "2026-01-21",
            [
                Tx(
                    D("140.00"),
                    structured=("CUR", "4761142344336336"),
                    end_to_end="E2E-CAMT-NL-1",
                    iban="NL79INGB0000004321",
                    name="Klant Een BV",
                    bank_reference="CAMT-NL-0001",
                ),
                Tx(
                    D("19.99"),
                    text="Betaling ST-CAMT-NL-0002",
                    iban="NL36INGB0007654321",
                    name="Klant Twee BV",
                    bank_reference="CAMT-NL-0002",
                ),
            ],
            "NL69INGB0123456789-2026-021",
        ),
    )
    write(
        "camt-v08-de-rf.xml",
        camt(
            "08",
            "DE89370400440532013000",
            "2026-01-21",
            [
                Tx(
                    D("1190.00"),
                    structured=("ISO", "RF81STCAMTDEGEN"),
                    end_to_end="E2E-DE-1",
                    iban="DE89370400440532013000",
                    name="Kunde GmbH",
                    bank_reference="CAMT-DE-0001",
                ),
                Tx(
                    D("238.00"),
                    text="Rechnung RF95 INV2 026D E2 danke",
                    name="Kunde GmbH",
                    bank_reference="CAMT-DE-0002",
                ),
            ],
            "DE89370400440532013000-2026-021",
        ),
    )
    truncated = (HERE / "camt-v02-be.xml").read_text()
    write("camt-truncated.xml", truncated[: len(truncated) // 2])


if __name__ == "__main__":
    main()
