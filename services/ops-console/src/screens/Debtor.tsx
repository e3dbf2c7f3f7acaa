import { useState } from "react";
import { ApiError, type CaseFile, type CaseItem, type CreditAccount, type OpenItem, type WorkItem } from "../api";
import { useSession } from "../context";
import { LimitRequestCard } from "./Limits";
import { ActionDialog, type ActionKind } from "./actions";
import { Timeline } from "./Timeline";
import { Loading, Notice, ProblemBox, RiskBadge, useLoad } from "../ui";

async function orNull<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export interface DebtorData {
  ref: string;
  items: OpenItem[];
  caseItems: Map<string, CaseItem>;
  tasks: WorkItem[];
  currencyOf(invoices: string[]): string;
}

export function DebtorScreen({ debtorRef, taskId }: { debtorRef: string; taskId: string | null }) {
  const { api, t, fmt } = useSession();
  const [action, setAction] = useState<{ kind: ActionKind; task?: WorkItem } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const debtor = useLoad(() => orNull(api.debtor(debtorRef)), [debtorRef]);
  const openItems = useLoad(() => orNull(api.openItems(debtorRef)), [debtorRef]);
  const caseFile = useLoad(() => orNull(api.caseFile(debtorRef)), [debtorRef]);
  const account = useLoad(() => orNull(api.creditAccount(debtorRef)), [debtorRef]);
  const tasks = useLoad(async () => (await api.worklist()).filter((w) => w.debtor_ref === debtorRef), [debtorRef]);
  const limitRequests = useLoad(
    async () => (await api.limitRequests("pending")).filter((r) => r.debtor_ref === debtorRef),
    [debtorRef],
  );

  if (debtor.error) return <ProblemBox error={debtor.error} onRetry={debtor.reload} />;
  if (debtor.data === undefined) return <Loading />;
  if (debtor.data === null) return <p role="alert">{t("debtor.notFound", { ref: debtorRef })}</p>;
  const profile = debtor.data.profile;
  const items = openItems.data?.items ?? [];
  const caseItems = new Map((caseFile.data?.items ?? []).map((i) => [i.invoice_number, i]));
  const data: DebtorData = {
    ref: debtorRef,
    items,
    caseItems,
    tasks: tasks.data ?? [],
    currencyOf(invoices) {
      const chosen = items.filter((i) => invoices.length === 0 || invoices.includes(i.invoice_number));
      return chosen[0]?.currency ?? items[0]?.currency ?? "EUR";
    },
  };
  const done = (text: string) => {
    setAction(null);
    setNotice(text);
  };
  return (
    <div className="debtor" data-testid="debtor" data-debtor={debtorRef}>
      <div className="screen-head">
        <div>
          <h1>{profile.legal_name}</h1>
          <p className="muted">
            {debtorRef} · {profile.kind} · {profile.country} · {profile.language.toUpperCase()}
            {caseFile.data && (
              <>
                {" · "}
                {t("debtor.caseStatus")}: {caseFile.data.status}
                {caseFile.data.policy && ` (${caseFile.data.policy.policy_id} v${caseFile.data.policy.version})`}
              </>
            )}
          </p>
        </div>
        <div className="toolbar actions" role="toolbar" aria-label={t("debtor.actions")}>
          <button type="button" onClick={() => setAction({ kind: "promise", task: currentCall(data.tasks, taskId) })}>
            {t("action.promise")}
          </button>
          <button type="button" onClick={() => setAction({ kind: "plan" })}>
            {t("action.plan")}
          </button>
          <button type="button" onClick={() => setAction({ kind: "dispute" })}>
            {t("action.dispute")}
          </button>
          <button type="button" onClick={() => setAction({ kind: "note", task: currentCall(data.tasks, taskId) })}>
            {t("action.note")}
          </button>
          <button type="button" onClick={() => setAction({ kind: "hold" })}>
            {t("action.hold")}
          </button>
          <button type="button" onClick={() => setAction({ kind: "limit" })}>
            {t("action.limit")}
          </button>
        </div>
      </div>
      <Notice text={notice} onClose={() => setNotice(null)} />
      <div className="debtor-grid">
        <div className="debtor-main">
          <OpenItemsPanel data={data} error={openItems.error ?? caseFile.error} loading={openItems.loading && !openItems.data} />
          <Timeline debtorRef={debtorRef} caseFile={caseFile.data === undefined && !caseFile.error ? undefined : (caseFile.data ?? null)} />
        </div>
        <aside className="debtor-side">
          <TasksPanel
            tasks={data.tasks}
            highlight={taskId}
            error={tasks.error}
            onAct={(kind, task) => setAction({ kind, task })}
            onDone={done}
          />
          <CreditPanel account={account.data} error={account.error} />
          {(limitRequests.data ?? []).map((r) => (
            <LimitRequestCard key={r.request_id} request={r} onDone={done} />
          ))}
          <section className="panel" aria-labelledby="master-title">
            <h2 id="master-title">{t("debtor.masterData")}</h2>
            <dl className="facts">
              <dt>{t("debtor.contact")}</dt>
              <dd>
                {profile.email && <a href={`mailto:${profile.email}`}>{profile.email}</a>}
                {profile.phone && (
                  <>
                    <br />
                    <a href={`tel:${profile.phone.replace(/\s/g, "")}`}>{profile.phone}</a>
                  </>
                )}
              </dd>
              <dt>{t("debtor.address")}</dt>
              <dd>
                {profile.address.street}
                <br />
                {profile.address.postal_code} {profile.address.city} {profile.address.country}
              </dd>
              <dt>{t("debtor.vat")}</dt>
              <dd>{profile.vat_number ?? "—"}</dd>
              <dt>{t("debtor.enterprise")}</dt>
              <dd>{profile.enterprise_number ?? "—"}</dd>
              <dt>{t("debtor.terms")}</dt>
              <dd>{t("debtor.termsDays", { days: profile.payment_terms_days })}</dd>
              <dt>{t("debtor.iban")}</dt>
              <dd className="mono small">{profile.iban.length ? profile.iban.join(", ") : "—"}</dd>
            </dl>
          </section>
        </aside>
      </div>
      {action && (
        <ActionDialog
          kind={action.kind}
          task={action.task}
          data={data}
          onClose={() => setAction(null)}
          onDone={done}
        />
      )}
      <span hidden data-testid="debtor-loaded">{fmt.date(openItems.data?.as_of)}</span>
    </div>
  );
}

function currentCall(tasks: WorkItem[], taskId: string | null): WorkItem | undefined {
  return tasks.find((w) => w.task_id === taskId && w.kind === "phone_call");
}

function OpenItemsPanel({ data, error, loading }: { data: DebtorData; error: unknown; loading: boolean }) {
  const { t, fmt } = useSession();
  return (
    <section className="panel" aria-labelledby="items-title">
      <h2 id="items-title">{t("debtor.openItems")}</h2>
      <ProblemBox error={error} />
      {loading && <Loading />}
      <table className="grid-table compact" data-testid="open-items">
        <thead>
          <tr>
            <th scope="col">{t("debtor.invoice")}</th>
            <th scope="col">{t("debtor.due")}</th>
            <th scope="col" className="num">{t("debtor.amount")}</th>
            <th scope="col" className="num">{t("debtor.openAmount")}</th>
            <th scope="col" className="num">{t("debtor.daysOverdue")}</th>
            <th scope="col" className="num">{t("debtor.level")}</th>
            <th scope="col">{t("debtor.holds")}</th>
            <th scope="col">{t("debtor.nextStep")}</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((i) => {
            const c = data.caseItems.get(i.invoice_number);
            return (
              <tr key={i.invoice_number} data-invoice={i.invoice_number} className={i.overdue ? "overdue" : ""}>
                <td>{i.invoice_number}</td>
                <td>{fmt.date(i.due_date)}</td>
                <td className="num">{fmt.money(i.amount_due, i.currency)}</td>
                <td className="num">{fmt.money(i.open_amount, i.currency)}</td>
                <td className="num">{i.days_overdue > 0 ? i.days_overdue : "—"}</td>
                <td className="num">{c ? c.level : "—"}</td>
                <td>
                  {(c?.holds ?? []).map((h) => (
                    <span key={h} className={`hold hold-${h}`}>
                      {t(`hold.${h}` as "hold.manual")}
                    </span>
                  ))}
                  {c?.manual_hold_until && <span className="small muted"> {t("debtor.holdUntil", { date: fmt.date(c.manual_hold_until) })}</span>}
                </td>
                <td>
                  {c?.awaiting_approval ? (
                    <span className="warn">{t("debtor.awaitingApproval")}</span>
                  ) : c?.next_step_date ? (
                    fmt.date(c.next_step_date)
                  ) : (
                    t("debtor.noNextStep")
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {data.items.length === 0 && !loading && <p className="muted">{t("noRows")}</p>}
    </section>
  );
}

function TasksPanel({
  tasks,
  highlight,
  error,
  onAct,
  onDone,
}: {
  tasks: WorkItem[];
  highlight: string | null;
  error: unknown;
  onAct(kind: ActionKind, task: WorkItem): void;
  onDone(text: string): void;
}) {
  const { api, t, fmt, changed } = useSession();
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const approve = async (task: WorkItem) => {
    if (!task.task_id) return;
    setBusy(task.task_id);
    setFailure(null);
    try {
      const result = await api.approveFormalNotice(task.task_id);
      changed();
      onDone(result.sent ? t("action.approved") : t("action.approvedNothing"));
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="panel" aria-labelledby="tasks-title" data-testid="tasks">
      <h2 id="tasks-title">{t("debtor.tasks")}</h2>
      <ProblemBox error={error ?? failure} />
      {tasks.length === 0 && <p className="muted">{t("debtor.noTasks")}</p>}
      <ul className="tasks">
        {tasks.map((w) => (
          <li
            key={w.task_id ?? w.dispute_id}
            className={w.task_id && w.task_id === highlight ? "task current" : "task"}
            data-kind={w.kind}
            data-task-id={w.task_id ?? ""}
          >
            <div>
              <span className={`kind-badge kind-${w.kind}`}>{t(`kind.${w.kind}`)}</span>{" "}
              <span className="small muted">{fmt.date(w.created_on)}</span>
            </div>
            <div className="small">{w.invoice_numbers.join(", ")}</div>
            <div className="small muted">{w.detail}</div>
            <div className="task-actions">
              {w.kind === "formal_notice_approval" && (
                <button type="button" className="primary" disabled={busy === w.task_id} onClick={() => void approve(w)}>
                  {t("action.approve")}
                </button>
              )}
              {w.kind === "dispute" && w.dispute_id && (
                <button type="button" onClick={() => onAct("resolve", w)}>
                  {t("action.resolveDispute")}
                </button>
              )}
              {w.kind !== "dispute" && w.kind !== "formal_notice_approval" && (
                <>
                  {w.kind === "phone_call" && (
                    <button type="button" onClick={() => onAct("promise", w)}>
                      {t("action.promise")}
                    </button>
                  )}
                  <button type="button" onClick={() => onAct("note", w)}>
                    {t("action.complete")}
                  </button>
                </>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function CreditPanel({ account, error }: { account: CreditAccount | null | undefined; error: unknown }) {
  const { t, fmt } = useSession();
  return (
    <section className="panel" aria-labelledby="credit-title" data-testid="credit">
      <h2 id="credit-title">{t("debtor.credit")}</h2>
      <ProblemBox error={error} />
      {account === undefined && !error && <Loading />}
      {account === null && <p className="muted">{t("noRows")}</p>}
      {account && (
        <>
          <table className="grid-table compact" data-testid="exposure">
            <thead>
              <tr>
                <th scope="col" />
                <th scope="col" className="num">{t("debtor.exposure")}</th>
                <th scope="col" className="num">{t("debtor.overdueAmount")}</th>
                <th scope="col" className="num">{t("debtor.limit")}</th>
                <th scope="col" className="num">{t("debtor.headroom")}</th>
              </tr>
            </thead>
            <tbody>
              {currencies(account).map((c) => {
                const e = account.exposure.find((x) => x.currency === c);
                const l = account.limits.find((x) => x.currency === c);
                return (
                  <tr key={c} data-currency={c}>
                    <th scope="row">{c}</th>
                    <td className="num" data-testid={`exposure-${c}`}>{fmt.money(e?.open_amount ?? "0.00", c)}</td>
                    <td className="num">{fmt.money(e?.overdue_amount ?? "0.00", c)}</td>
                    <td className="num">{l ? fmt.money(l.limit, c) : <span className="muted small">{t("debtor.noLimit")}</span>}</td>
                    <td className={l?.exceeded ? "num bad" : "num"}>{l ? fmt.money(l.headroom, c) : "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="score-line">
            <span>
              {t("debtor.riskClass")} <RiskBadge value={account.score?.risk_class} />
            </span>
            {account.score && (
              <span>
                {t("debtor.score")} <strong data-testid="score">{account.score.score}</strong>/100
              </span>
            )}
            <span className={account.hold.on_hold ? "bad" : "muted"}>
              {account.hold.on_hold ? t("debtor.onHold") : t("debtor.notOnHold")}
            </span>
          </div>
          {account.hold.on_hold && (
            <ul className="small">
              {account.hold.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
          {account.score && (
            <details open>
              <summary>{t("debtor.scoreParts")}</summary>
              <table className="grid-table compact score-parts">
                <tbody>
                  {account.score.parts.map((p) => (
                    <tr key={p.name}>
                      <th scope="row">{p.name}</th>
                      <td className="num">
                        {fmt.number(p.points, 1)}/{p.max_points}
                      </td>
                      <td className="small muted">{p.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
          {account.review?.due_on && (
            <p className="small muted">
              {t("debtor.review")}: {fmt.date(account.review.due_on)}
            </p>
          )}
        </>
      )}
    </section>
  );
}

function currencies(account: CreditAccount): string[] {
  const all = new Set([...account.exposure.map((e) => e.currency), ...account.limits.map((l) => l.currency)]);
  return [...all].sort();
}

export type { CaseFile };
