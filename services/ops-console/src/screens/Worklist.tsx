import { useState } from "react";
import type { TaskKind, WorkItem } from "../api";
import { useSession } from "../context";
import { href, navigate } from "../router";
import { Loading, Pager, ProblemBox, RiskBadge, useLoad, usePages } from "../ui";

export const TASK_KINDS: TaskKind[] = [
  "formal_notice_approval",
  "plan_defaulted",
  "promise_broken",
  "phone_call",
  "dispute",
];

export function taskLink(w: WorkItem): string {
  const target = href("debtors", w.debtor_ref);
  return w.task_id ? `${target}?task=${encodeURIComponent(w.task_id)}` : target;
}

export function WorklistScreen() {
  const { api, t, fmt } = useSession();
  const [kind, setKind] = useState<TaskKind | "">("");
  const work = useLoad(() => api.worklist(kind || undefined), [kind]);
  const paged = usePages(work.data ?? [], 15);
  return (
    <section aria-labelledby="worklist-title">
      <div className="screen-head">
        <div>
          <h1 id="worklist-title">{t("worklist.title")}</h1>
          <p className="muted">{t("worklist.intro")}</p>
        </div>
        <div className="toolbar">
          <label>
            {t("worklist.filter")}{" "}
            <select value={kind} onChange={(e) => setKind(e.target.value as TaskKind | "")} name="kind">
              <option value="">{t("all")}</option>
              {TASK_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`kind.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={work.reload}>
            {t("refresh")}
          </button>
        </div>
      </div>
      <ProblemBox error={work.error} onRetry={work.reload} />
      {work.loading && !work.data && <Loading />}
      {work.data && (
        <>
          <p className="muted" data-testid="worklist-count">
            {t("worklist.count", { count: work.data.length })}
          </p>
          <table className="grid-table" data-testid="worklist">
            <thead>
              <tr>
                <th scope="col" className="num">{t("worklist.priority")}</th>
                <th scope="col">{t("worklist.kind")}</th>
                <th scope="col">{t("worklist.debtor")}</th>
                <th scope="col">{t("worklist.invoices")}</th>
                <th scope="col" className="num">{t("worklist.overdue")}</th>
                <th scope="col" className="num">{t("worklist.days")}</th>
                <th scope="col">{t("worklist.risk")}</th>
                <th scope="col">{t("worklist.since")}</th>
              </tr>
            </thead>
            <tbody>
              {paged.rows.map((w) => (
                <tr
                  key={w.task_id ?? w.dispute_id ?? w.debtor_ref}
                  className={`task row-${w.kind}`}
                  data-task-id={w.task_id ?? ""}
                  data-kind={w.kind}
                  data-debtor={w.debtor_ref}
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest("a")) return;
                    navigate(taskLink(w));
                  }}
                >
                  <td className="num">
                    <span className="priority">{fmt.number(w.priority, 1)}</span>
                  </td>
                  <td>
                    <span className={`kind-badge kind-${w.kind}`}>{t(`kind.${w.kind}`)}</span>
                    <div className="small muted detail">{w.detail}</div>
                  </td>
                  <td>
                    <a href={taskLink(w)}>{w.debtor_name ?? w.debtor_ref}</a>
                    <div className="small muted">{w.debtor_ref}</div>
                  </td>
                  <td className="small">{w.invoice_numbers.join(", ")}</td>
                  <td className="num">{fmt.number(w.overdue_amount, 2)}</td>
                  <td className="num">{w.days_overdue}</td>
                  <td>
                    <RiskBadge value={w.risk_class} />
                  </td>
                  <td>{fmt.date(w.created_on)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {work.data.length === 0 && <p>{t("noRows")}</p>}
          <Pager {...paged} label={t("worklist.title")} />
        </>
      )}
    </section>
  );
}
