import { useState } from "react";
import type { ApiError, LimitOutcome, WorkItem } from "../api";
import { useSession } from "../context";
import { addDays, addMoney, fromCents, toCents } from "../format";
import { ActionForm, Dialog, Field } from "../ui";
import type { DebtorData } from "./Debtor";

export type ActionKind = "promise" | "plan" | "dispute" | "note" | "hold" | "limit" | "resolve";

const DISPUTE_REASONS = [
  "not_delivered",
  "damaged",
  "wrong_price",
  "wrong_quantity",
  "administrative_error",
  "quality",
  "other",
] as const;
const OUTCOMES = ["reached", "no_answer", "voicemail", "wrong_number", "promised", "disputed", "refused", "other"] as const;

/** Checkboxes for the debtor's open items; none ticked means all of them. */
function InvoicePicker({
  data,
  value,
  onChange,
  error,
  single,
}: {
  data: DebtorData;
  value: string[];
  onChange(next: string[]): void;
  error?: string | undefined;
  single?: boolean;
}) {
  const { t, fmt } = useSession();
  if (single) {
    return (
      <Field label={t("field.invoice")} error={error}>
        {(p) => (
          <select {...p} value={value[0] ?? ""} onChange={(e) => onChange([e.target.value])} name="invoice_number">
            <option value="" disabled>
              —
            </option>
            {data.items.map((i) => (
              <option key={i.invoice_number} value={i.invoice_number}>
                {i.invoice_number} · {fmt.money(i.open_amount, i.currency)}
              </option>
            ))}
          </select>
        )}
      </Field>
    );
  }
  return (
    <fieldset className={error ? "field invalid" : "field"}>
      <legend>{t("field.invoices")}</legend>
      <p className="small muted">{value.length === 0 ? t("field.allInvoices") : value.join(", ")}</p>
      <div className="checks">
        {data.items.map((i) => (
          <label key={i.invoice_number}>
            <input
              type="checkbox"
              name="invoice_numbers"
              value={i.invoice_number}
              checked={value.includes(i.invoice_number)}
              onChange={(e) =>
                onChange(e.target.checked ? [...value, i.invoice_number] : value.filter((n) => n !== i.invoice_number))
              }
            />
            {i.invoice_number} <span className="muted">{fmt.money(i.open_amount, i.currency)}</span>
          </label>
        ))}
      </div>
      {error && <small className="field-error">{error}</small>}
    </fieldset>
  );
}

function openTotal(data: DebtorData, invoices: string[]): string {
  const chosen = data.items.filter((i) => invoices.length === 0 || invoices.includes(i.invoice_number));
  const currency = data.currencyOf(invoices);
  return addMoney("0", ...chosen.filter((i) => i.currency === currency).map((i) => i.open_amount));
}

export function ActionDialog({
  kind,
  task,
  data,
  onClose,
  onDone,
}: {
  kind: ActionKind;
  task?: WorkItem | undefined;
  data: DebtorData;
  onClose(): void;
  onDone(text: string): void;
}) {
  const { t } = useSession();
  const title = {
    promise: t("action.promise"),
    plan: t("action.plan"),
    dispute: t("action.dispute"),
    note: t("action.note"),
    hold: t("action.hold"),
    limit: t("action.limit"),
    resolve: t("action.resolveDispute"),
  }[kind];
  return (
    <Dialog title={title} onClose={onClose}>
      {kind === "promise" && <PromiseForm data={data} task={task} onClose={onClose} onDone={onDone} />}
      {kind === "plan" && <PlanForm data={data} onClose={onClose} onDone={onDone} />}
      {kind === "dispute" && <DisputeForm data={data} onClose={onClose} onDone={onDone} />}
      {kind === "note" && <NoteForm data={data} task={task} onClose={onClose} onDone={onDone} />}
      {kind === "hold" && <HoldForm data={data} onClose={onClose} onDone={onDone} />}
      {kind === "limit" && <LimitForm data={data} onClose={onClose} onDone={onDone} />}
      {kind === "resolve" && task && <ResolveForm task={task} onClose={onClose} onDone={onDone} />}
    </Dialog>
  );
}

interface FormProps {
  data: DebtorData;
  onClose(): void;
  onDone(text: string): void;
}

function PromiseForm({ data, task, onClose, onDone }: FormProps & { task?: WorkItem | undefined }) {
  const { api, t, user, businessDate, changed } = useSession();
  const [invoices, setInvoices] = useState<string[]>(task?.invoice_numbers ?? []);
  const [amount, setAmount] = useState(() => openTotal(data, task?.invoice_numbers ?? []));
  const [date, setDate] = useState(() => addDays(businessDate ?? new Date().toISOString().slice(0, 10), 7));
  const currency = data.currencyOf(invoices);
  return (
    <ActionForm
      submitLabel={t("save")}
      onCancel={onClose}
      action={async () => {
        const made = await api.makePromise({
          debtor_ref: data.ref,
          invoice_numbers: invoices.length ? invoices : null,
          amount: amount.trim(),
          currency,
          promised_date: date,
        });
        if (task?.task_id) {
          await api.recordNote(data.ref, {
            text: `promise to pay ${currency} ${amount.trim()} by ${date}`,
            author: user,
            outcome: "promised",
            task_id: task.task_id,
          });
        }
        return made;
      }}
      onDone={() => {
        changed();
        onDone(t("action.saved"));
      }}
    >
      {(error: ApiError | null) => (
        <>
          <InvoicePicker
            data={data}
            value={invoices}
            onChange={(next) => {
              setInvoices(next);
              setAmount(openTotal(data, next));
            }}
            error={error?.reasonFor("invoice_numbers")}
          />
          <div className="row">
            <Field label={`${t("field.amount")} (${currency})`} error={error?.reasonFor("amount")}>
              {(p) => <input {...p} name="amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />}
            </Field>
            <Field label={t("field.promisedDate")} error={error?.reasonFor("promised_date")}>
              {(p) => <input {...p} name="promised_date" type="date" value={date} onChange={(e) => setDate(e.target.value)} />}
            </Field>
          </div>
          {task?.task_id && <p className="small muted">{t("promise.completesTask")}</p>}
        </>
      )}
    </ActionForm>
  );
}

function PlanForm({ data, onClose, onDone }: FormProps) {
  const { api, t, fmt, businessDate, changed } = useSession();
  const [invoices, setInvoices] = useState<string[]>([]);
  const [count, setCount] = useState("3");
  const [first, setFirst] = useState(() => addDays(businessDate ?? new Date().toISOString().slice(0, 10), 14));
  const [grace, setGrace] = useState("5");
  const currency = data.currencyOf(invoices);
  const total = openTotal(data, invoices);
  const n = Math.max(1, Math.min(120, Number.parseInt(count, 10) || 1));
  const cents = toCents(total);
  const share = cents / BigInt(n);
  const instalments = Array.from({ length: n }, (_, i) => ({
    due_date: monthsAfter(first, i),
    amount: fromCents(i === n - 1 ? cents - share * BigInt(n - 1) : share),
  }));
  return (
    <ActionForm
      submitLabel={t("save")}
      onCancel={onClose}
      action={() =>
        api.agreePlan({
          debtor_ref: data.ref,
          invoice_numbers: invoices.length ? invoices : null,
          currency,
          instalments,
          grace_days: Number.parseInt(grace, 10),
        })
      }
      onDone={() => {
        changed();
        onDone(t("action.saved"));
      }}
    >
      {(error) => (
        <>
          <InvoicePicker data={data} value={invoices} onChange={setInvoices} error={error?.reasonFor("invoice_numbers")} />
          <div className="row">
            <Field label={t("field.instalmentCount")} error={error?.reasonFor("instalments")}>
              {(p) => <input {...p} name="count" type="number" min={1} max={120} value={count} onChange={(e) => setCount(e.target.value)} />}
            </Field>
            <Field label={t("field.firstDue")}>
              {(p) => <input {...p} name="first_due" type="date" value={first} onChange={(e) => setFirst(e.target.value)} />}
            </Field>
            <Field label={t("field.graceDays")} error={error?.reasonFor("grace_days")}>
              {(p) => <input {...p} name="grace_days" type="number" min={0} max={60} value={grace} onChange={(e) => setGrace(e.target.value)} />}
            </Field>
          </div>
          <table className="grid-table compact">
            <caption className="small muted">{t("plan.total", { total: fmt.money(total, currency) })}</caption>
            <tbody>
              {instalments.map((i) => (
                <tr key={i.due_date}>
                  <td>{fmt.date(i.due_date)}</td>
                  <td className="num">{fmt.money(i.amount, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </ActionForm>
  );
}

function monthsAfter(iso: string, months: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.toISOString().slice(0, 10);
}

function DisputeForm({ data, onClose, onDone }: FormProps) {
  const { api, t, changed } = useSession();
  const [invoice, setInvoice] = useState<string[]>(data.items[0] ? [data.items[0].invoice_number] : []);
  const [reason, setReason] = useState<string>("");
  const [note, setNote] = useState("");
  return (
    <ActionForm
      submitLabel={t("save")}
      onCancel={onClose}
      action={() => api.openDispute({ invoice_number: invoice[0] ?? "", reason, note })}
      onDone={() => {
        changed();
        onDone(t("action.saved"));
      }}
    >
      {(error) => (
        <>
          <InvoicePicker data={data} value={invoice} onChange={setInvoice} single error={error?.reasonFor("invoice_number")} />
          <Field label={t("field.reason")} error={error?.reasonFor("reason")}>
            {(p) => (
              <select {...p} name="reason" value={reason} onChange={(e) => setReason(e.target.value)}>
                <option value="">—</option>
                {DISPUTE_REASONS.map((r) => (
                  <option key={r} value={r}>
                    {t(`reason.${r}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t("field.note")} error={error?.reasonFor("note")}>
            {(p) => <textarea {...p} name="note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />}
          </Field>
        </>
      )}
    </ActionForm>
  );
}

function NoteForm({ data, task, onClose, onDone }: FormProps & { task?: WorkItem | undefined }) {
  const { api, t, user, changed } = useSession();
  const [text, setText] = useState("");
  const [outcome, setOutcome] = useState<string>(task ? "reached" : "");
  const [taskId, setTaskId] = useState<string>(task?.task_id ?? "");
  const open = data.tasks.filter((w) => w.task_id && w.kind !== "formal_notice_approval");
  return (
    <ActionForm
      submitLabel={t("save")}
      onCancel={onClose}
      action={() =>
        api.recordNote(data.ref, { text, author: user, outcome: outcome || null, task_id: taskId || null })
      }
      onDone={() => {
        changed();
        onDone(t("action.saved"));
      }}
    >
      {(error) => (
        <>
          <Field label={t("field.text")} error={error?.reasonFor("text")}>
            {(p) => <textarea {...p} name="text" rows={4} value={text} onChange={(e) => setText(e.target.value)} autoFocus />}
          </Field>
          <div className="row">
            <Field label={t("field.outcome")} error={error?.reasonFor("outcome")}>
              {(p) => (
                <select {...p} name="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)}>
                  <option value="">—</option>
                  {OUTCOMES.map((o) => (
                    <option key={o} value={o}>
                      {t(`outcome.${o}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t("field.task")} error={error?.reasonFor("task_id")}>
              {(p) => (
                <select {...p} name="task_id" value={taskId} onChange={(e) => setTaskId(e.target.value)}>
                  <option value="">—</option>
                  {open.map((w) => (
                    <option key={w.task_id} value={w.task_id ?? ""}>
                      {t(`kind.${w.kind}`)} · {w.invoice_numbers.join(", ")}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        </>
      )}
    </ActionForm>
  );
}

function HoldForm({ data, onClose, onDone }: FormProps) {
  const { api, t, businessDate, changed } = useSession();
  const [invoices, setInvoices] = useState<string[]>([]);
  const [until, setUntil] = useState(() => addDays(businessDate ?? new Date().toISOString().slice(0, 10), 14));
  const [reason, setReason] = useState("");
  return (
    <ActionForm
      submitLabel={t("save")}
      onCancel={onClose}
      action={() =>
        api.placeHold({ debtor_ref: data.ref, invoice_numbers: invoices.length ? invoices : null, until, reason })
      }
      onDone={() => {
        changed();
        onDone(t("action.saved"));
      }}
    >
      {(error) => (
        <>
          <InvoicePicker data={data} value={invoices} onChange={setInvoices} error={error?.reasonFor("invoice_numbers")} />
          <Field label={t("field.until")} error={error?.reasonFor("until")}>
            {(p) => <input {...p} name="until" type="date" value={until} onChange={(e) => setUntil(e.target.value)} />}
          </Field>
          <Field label={t("field.reason")} error={error?.reasonFor("reason")}>
            {(p) => <textarea {...p} name="reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
        </>
      )}
    </ActionForm>
  );
}

function LimitForm({ data, onClose, onDone }: FormProps) {
  const { api, t, user, changed } = useSession();
  const [currency, setCurrency] = useState(data.currencyOf([]));
  const [limit, setLimit] = useState("");
  const [reason, setReason] = useState("");
  return (
    <ActionForm
      submitLabel={t("save")}
      onCancel={onClose}
      action={() => api.setCreditLimit(data.ref, currency, { limit: limit.trim(), requested_by: user, reason: reason || null })}
      onDone={(result) => {
        changed();
        const outcome = (result as LimitOutcome).outcome;
        onDone(
          outcome === "pending_approval"
            ? t("limit.pendingApproval")
            : outcome === "unchanged"
              ? t("limit.unchanged")
              : t("limit.applied"),
        );
      }}
    >
      {(error) => (
        <>
          <div className="row">
            <Field label={t("field.currency")} error={error?.reasonFor("currency")}>
              {(p) => <input {...p} name="currency" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value.toUpperCase())} />}
            </Field>
            <Field label={t("field.limit")} error={error?.reasonFor("limit")}>
              {(p) => <input {...p} name="limit" inputMode="decimal" value={limit} onChange={(e) => setLimit(e.target.value)} autoFocus />}
            </Field>
          </div>
          <Field label={t("field.reason")} error={error?.reasonFor("reason")}>
            {(p) => <textarea {...p} name="reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
        </>
      )}
    </ActionForm>
  );
}

function ResolveForm({ task, onClose, onDone }: { task: WorkItem; onClose(): void; onDone(text: string): void }) {
  const { api, t, changed } = useSession();
  const [outcome, setOutcome] = useState("");
  const [note, setNote] = useState("");
  return (
    <ActionForm
      submitLabel={t("save")}
      onCancel={onClose}
      action={() => api.resolveDispute(task.dispute_id ?? "", { outcome, note })}
      onDone={() => {
        changed();
        onDone(t("action.saved"));
      }}
    >
      {(error) => (
        <>
          <p className="small muted">{task.detail}</p>
          <Field label={t("field.outcomeDispute")} error={error?.reasonFor("outcome")}>
            {(p) => (
              <select {...p} name="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)}>
                <option value="">—</option>
                {(["rejected", "credited", "withdrawn"] as const).map((o) => (
                  <option key={o} value={o}>
                    {t(`resolution.${o}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t("field.note")} error={error?.reasonFor("note")}>
            {(p) => <textarea {...p} name="note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />}
          </Field>
        </>
      )}
    </ActionForm>
  );
}
