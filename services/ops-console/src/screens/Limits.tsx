import { useState } from "react";
import type { LimitRequest } from "../api";
import { useSession } from "../context";
import { href } from "../router";
import { Loading, Notice, ProblemBox, useLoad } from "../ui";

/** A limit waiting for a second person: who asked, and who may approve (anyone else). */
export function LimitRequestCard({ request, onDone }: { request: LimitRequest; onDone(text: string): void }) {
  const { api, t, fmt, user, changed } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const mine = request.requested_by.trim().toLowerCase() === user.trim().toLowerCase();
  const decide = async (approve: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const decided = await api.decideLimitRequest(request.request_id, approve, { by: user, note: null });
      changed();
      onDone(`${fmt.money(decided.limit, decided.currency)}: ${t(`limit.status.${decided.status}`)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel limit-request" data-testid="limit-request" data-request={request.request_id}>
      <h2>{t("limit.pending")}</h2>
      <p>
        <a href={href("debtors", request.debtor_ref)}>{request.debtor_ref}</a>:{" "}
        <strong>{fmt.money(request.limit, request.currency)}</strong>
      </p>
      <p className="small">{t("limit.requestedBy", { name: request.requested_by, date: fmt.dateTime(request.requested_at) })}</p>
      {request.reason && <p className="small muted">{request.reason}</p>}
      <p className="small" data-testid="who-may-approve">
        {mine ? t("limit.youRequested") : t("limit.whoMayApprove", { name: request.requested_by })}
      </p>
      <ProblemBox error={error} />
      <div className="task-actions">
        <button type="button" className="primary" disabled={mine || busy} onClick={() => void decide(true)}>
          {t("limit.approve")}
        </button>
        <button type="button" disabled={busy} onClick={() => void decide(false)}>
          {t("limit.reject")}
        </button>
      </div>
    </section>
  );
}

export function LimitsScreen() {
  const { api, t } = useSession();
  const [notice, setNotice] = useState<string | null>(null);
  const pending = useLoad(() => api.limitRequests("pending"), []);
  return (
    <section aria-labelledby="limits-title">
      <div className="screen-head">
        <h1 id="limits-title">{t("limit.title")}</h1>
      </div>
      <Notice text={notice} onClose={() => setNotice(null)} />
      <ProblemBox error={pending.error} onRetry={pending.reload} />
      {pending.loading && !pending.data && <Loading />}
      {pending.data?.length === 0 && <p>{t("limit.none")}</p>}
      <div className="cards">
        {(pending.data ?? []).map((r) => (
          <LimitRequestCard key={r.request_id} request={r} onDone={setNotice} />
        ))}
      </div>
    </section>
  );
}
