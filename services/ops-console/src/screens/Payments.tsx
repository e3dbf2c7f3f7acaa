import { useEffect, useMemo, useState } from "react";
import { type Allocation, type Debtor, type Invoice, type Payment, type UnmatchedReversal } from "../api";
import { useSession } from "../context";
import { addMoney, fromCents, toCents } from "../format";
import { href } from "../router";
import { ActionForm, Dialog, Field, Loading, Notice, Pager, ProblemBox, useLoad, usePages } from "../ui";

export function PaymentsScreen() {
  const { api, t, fmt } = useSession();
  const [notice, setNotice] = useState<string | null>(null);
  const [allocating, setAllocating] = useState<Payment | null>(null);
  const queue = useLoad(() => api.payments({ status: "unmatched", limit: 1000 }), []);
  const paged = usePages(queue.data ?? [], 15);
  return (
    <section aria-labelledby="payments-title">
      <div className="screen-head">
        <div>
          <h1 id="payments-title">{t("payments.unmatched")}</h1>
          <p className="muted">{t("payments.intro")}</p>
        </div>
        <div className="toolbar">
          <button type="button" onClick={queue.reload}>
            {t("refresh")}
          </button>
        </div>
      </div>
      <Notice text={notice} onClose={() => setNotice(null)} />
      <ProblemBox error={queue.error} onRetry={queue.reload} />
      {queue.loading && !queue.data && <Loading />}
      {queue.data?.length === 0 && <p data-testid="payments-empty">{t("payments.none")}</p>}
      {paged.count > 0 && (
        <table className="grid-table" data-testid="unmatched">
          <thead>
            <tr>
              <th scope="col">{t("payments.booked")}</th>
              <th scope="col" className="num">{t("payments.amount")}</th>
              <th scope="col" className="num">{t("payments.unallocated")}</th>
              <th scope="col">{t("payments.counterparty")}</th>
              <th scope="col">{t("payments.remittance")}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {paged.rows.map((p) => (
              <tr key={p.payment_id} data-payment={p.payment_id}>
                <td>
                  {fmt.date(p.booking_date)}
                  <div className="small muted">{p.payment_id}</div>
                </td>
                <td className="num">{fmt.money(p.amount, p.currency)}</td>
                <td className="num">{fmt.money(p.unallocated, p.currency)}</td>
                <td>
                  {p.counterparty_name ?? "—"}
                  <div className="small muted mono">{p.counterparty_iban}</div>
                </td>
                <td className="small">{p.remittance_info ?? p.structured_reference ?? "—"}</td>
                <td>
                  <button type="button" className="primary" onClick={() => setAllocating(p)}>
                    {t("payments.allocate")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager {...paged} label={t("payments.unmatched")} />
      <ReversalQueue onDone={setNotice} />
      {allocating && (
        <AllocateDialog
          payment={allocating}
          onClose={() => setAllocating(null)}
          onDone={() => {
            setAllocating(null);
            setNotice(t("payments.allocated"));
          }}
        />
      )}
    </section>
  );
}

const OPEN = new Set(["open", "partially_paid"]);

/** Spread ``amount`` over the items, oldest due date first. */
function oldestFirst(items: Invoice[], amount: string): Record<string, string> {
  let left = toCents(amount);
  const out: Record<string, string> = {};
  for (const i of [...items].sort((a, b) => (a.due_date < b.due_date ? -1 : 1))) {
    const take = left < toCents(i.open_amount) ? left : toCents(i.open_amount);
    out[i.invoice_number] = fromCents(take > 0n ? take : 0n);
    left -= take > 0n ? take : 0n;
  }
  return out;
}

function AllocateDialog({ payment, onClose, onDone }: { payment: Payment; onClose(): void; onDone(): void }) {
  const { api, t, fmt, changed } = useSession();
  const [q, setQ] = useState(payment.debtor_ref ?? (payment.counterparty_name ?? "").split(/\s+/)[0] ?? "");
  const [debtor, setDebtor] = useState<string | null>(payment.debtor_ref);
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const found = useLoad(() => (q.trim() ? api.debtors({ q: q.trim(), limit: 10 }) : Promise.resolve([] as Debtor[])), [q]);
  const invoices = useLoad(
    () => (debtor ? api.invoices({ debtor_ref: debtor, limit: 1000 }) : Promise.resolve([] as Invoice[])),
    [debtor],
  );
  const open = useMemo(
    () => (invoices.data ?? []).filter((i) => OPEN.has(i.status) && i.currency === payment.currency),
    [invoices.data, payment.currency],
  );
  useEffect(() => setAmounts(oldestFirst(open, payment.unallocated)), [open, payment.unallocated]);
  const allocated = addMoney("0", ...Object.values(amounts).map((a) => (a.trim() ? a : "0")).filter((a) => /^-?\d+(\.\d+)?$/.test(a)));
  const remaining = fromCents(toCents(payment.unallocated) - toCents(allocated));
  return (
    <Dialog title={`${t("payments.allocate")} ${fmt.money(payment.unallocated, payment.currency)}`} onClose={onClose} wide>
      <p className="small muted">
        {payment.counterparty_name} · {payment.counterparty_iban} · {payment.remittance_info}
      </p>
      <div className="row">
        <Field label={t("payments.pickDebtor")}>
          {(p) => <input {...p} type="search" name="debtor-search" value={q} onChange={(e) => setQ(e.target.value)} />}
        </Field>
      </div>
      <ProblemBox error={found.error} />
      <ul className="pick-list" aria-label={t("payments.debtor")}>
        {(found.data ?? []).map((d) => (
          <li key={d.debtor_ref}>
            <button
              type="button"
              aria-pressed={debtor === d.debtor_ref}
              className={debtor === d.debtor_ref ? "selected" : ""}
              onClick={() => setDebtor(d.debtor_ref)}
            >
              {d.profile.legal_name} <span className="muted">{d.debtor_ref}</span>
            </button>
          </li>
        ))}
      </ul>
      {debtor && (
        <ActionForm
          submitLabel={t("payments.allocate")}
          onCancel={onClose}
          action={() => {
            const allocations: Allocation[] = Object.entries(amounts)
              .filter(([, a]) => a.trim() !== "" && toCents(a) !== 0n)
              .map(([invoice_number, amount]) => ({ invoice_number, amount: amount.trim() }));
            return api.allocatePayment(payment.payment_id, allocations);
          }}
          onDone={() => {
            changed();
            onDone();
          }}
        >
          {(error) => (
            <>
              <h3>
                {t("payments.allocateTo", { amount: fmt.money(payment.unallocated, payment.currency), debtor })}{" "}
                <a href={href("debtors", debtor)} className="small">
                  {t("open")} →
                </a>
              </h3>
              {invoices.loading && <Loading />}
              <table className="grid-table compact" data-testid="allocation">
                <thead>
                  <tr>
                    <th scope="col">{t("debtor.invoice")}</th>
                    <th scope="col">{t("debtor.due")}</th>
                    <th scope="col" className="num">{t("debtor.openAmount")}</th>
                    <th scope="col" className="num">{t("field.amount")}</th>
                  </tr>
                </thead>
                <tbody>
                  {open.map((i, index) => (
                    <tr key={i.invoice_number} data-invoice={i.invoice_number}>
                      <td>{i.invoice_number}</td>
                      <td>{fmt.date(i.due_date)}</td>
                      <td className="num">{fmt.money(i.open_amount, i.currency)}</td>
                      <td className="num">
                        <input
                          className="amount"
                          inputMode="decimal"
                          name={`amount-${i.invoice_number}`}
                          aria-label={`${t("field.amount")} ${i.invoice_number}`}
                          aria-invalid={Boolean(error?.reasonFor(`allocations[${index}].amount`))}
                          value={amounts[i.invoice_number] ?? ""}
                          onChange={(e) => setAmounts({ ...amounts, [i.invoice_number]: e.target.value })}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {open.length === 0 && !invoices.loading && <p className="muted">{t("noRows")}</p>}
              <p className={toCents(remaining) < 0n ? "bad" : "muted"} data-testid="remaining">
                {t("payments.remaining", { amount: fmt.money(remaining, payment.currency) })}
              </p>
            </>
          )}
        </ActionForm>
      )}
    </Dialog>
  );
}

function candidateId(c: UnmatchedReversal["candidates"][number]): string {
  return typeof c === "string" ? c : c.payment_id;
}

/** Bank reversals that named no single payment. Shown where invoice-service offers the queue
 * (its OpenAPI document lists it); elsewhere the section stays away. */
function ReversalQueue({ onDone }: { onDone(text: string): void }) {
  const { api, t, fmt } = useSession();
  const [resolving, setResolving] = useState<UnmatchedReversal | null>(null);
  const queue = useLoad(
    async () => ((await api.offers("invoice", "/v1/unmatched-reversals")) ? api.unmatchedReversals() : null),
    [],
  );
  const paged = usePages(queue.data ?? [], 10);
  if (queue.data === null) return null;
  return (
    <section className="panel" aria-labelledby="reversals-title" data-testid="reversals">
      <h2 id="reversals-title">{t("payments.reversals")}</h2>
      <p className="muted small">{t("payments.reversalsIntro")}</p>
      <ProblemBox error={queue.error} onRetry={queue.reload} />
      {queue.data?.length === 0 && <p className="muted">{t("noRows")}</p>}
      {paged.count > 0 && (
        <table className="grid-table compact">
          <thead>
            <tr>
              <th scope="col">{t("payments.booked")}</th>
              <th scope="col" className="num">{t("payments.amount")}</th>
              <th scope="col">{t("payments.counterparty")}</th>
              <th scope="col">{t("payments.reason")}</th>
              <th scope="col">{t("payments.candidates")}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {paged.rows.map((r) => (
              <tr key={r.reversal_id} data-reversal={r.reversal_id}>
                <td>
                  {fmt.date(r.booking_date)}
                  <div className="small muted">{r.bank_reference ?? r.end_to_end_id}</div>
                </td>
                <td className="num">{fmt.money(r.amount, r.currency)}</td>
                <td>
                  {r.counterparty_name ?? "—"}
                  <div className="small muted mono">{r.counterparty_iban}</div>
                </td>
                <td className="small">
                  {r.reason}
                  {r.return_reason && <div className="muted">{r.return_reason}</div>}
                </td>
                <td className="small mono">{r.candidates.map(candidateId).join(", ") || "—"}</td>
                <td>
                  <button type="button" onClick={() => setResolving(r)}>
                    {t("payments.resolve")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager {...paged} label={t("payments.reversals")} />
      {resolving && (
        <ResolveReversalDialog
          reversal={resolving}
          onClose={() => setResolving(null)}
          onDone={() => {
            setResolving(null);
            onDone(t("payments.resolved"));
          }}
        />
      )}
    </section>
  );
}

function ResolveReversalDialog({ reversal, onClose, onDone }: { reversal: UnmatchedReversal; onClose(): void; onDone(): void }) {
  const { api, t, fmt, changed } = useSession();
  const candidates = reversal.candidates.map(candidateId);
  const [choice, setChoice] = useState<string>(candidates[0] ?? "other");
  const [other, setOther] = useState("");
  const [note, setNote] = useState("");
  return (
    <Dialog title={`${t("payments.resolve")}: ${fmt.money(reversal.amount, reversal.currency)}`} onClose={onClose}>
      <ActionForm
        submitLabel={t("save")}
        onCancel={onClose}
        action={() =>
          api.resolveReversal(reversal.reversal_id, {
            payment_id: choice === "dismiss" ? null : choice === "other" ? other.trim() : choice,
            dismiss: choice === "dismiss",
            note: note.trim() || null,
          })
        }
        onDone={() => {
          changed();
          onDone();
        }}
      >
        {(error) => (
          <>
            <fieldset className={error?.reasonFor("payment_id") ? "field invalid" : "field"}>
              <legend>{t("payments.thisPayment")}</legend>
              {candidates.map((c) => (
                <label key={c} className="radio">
                  <input type="radio" name="choice" value={c} checked={choice === c} onChange={() => setChoice(c)} /> <span className="mono">{c}</span>
                </label>
              ))}
              <label className="radio">
                <input type="radio" name="choice" value="other" checked={choice === "other"} onChange={() => setChoice("other")} /> {t("payments.otherPayment")}{" "}
                <input name="payment_id" value={other} onChange={(e) => setOther(e.target.value)} onFocus={() => setChoice("other")} />
              </label>
              <label className="radio">
                <input type="radio" name="choice" value="dismiss" checked={choice === "dismiss"} onChange={() => setChoice("dismiss")} /> {t("payments.dismiss")}
              </label>
              {error?.reasonFor("payment_id") && <small className="field-error">{error.reasonFor("payment_id")}</small>}
            </fieldset>
            <Field label={t("field.note")} error={error?.reasonFor("note")}>
              {(p) => <textarea {...p} name="note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />}
            </Field>
          </>
        )}
      </ActionForm>
    </Dialog>
  );
}
