import { useEffect, useState } from "react";
import type { Debtor } from "../api";
import { useSession } from "../context";
import { href, navigate } from "../router";
import { Loading, ProblemBox, useLoad } from "../ui";

const PAGE = 25;

/** Debtor search with the service's own paging (``after`` = the last reference seen). */
export function DebtorsScreen() {
  const { api, t } = useSession();
  const [q, setQ] = useState("");
  const [query, setQuery] = useState("");
  const [cursors, setCursors] = useState<string[]>([]); // the ``after`` of each page shown
  useEffect(() => {
    const timer = window.setTimeout(() => {
      setQuery(q.trim());
      setCursors([]);
    }, 250);
    return () => window.clearTimeout(timer);
  }, [q]);
  const after = cursors[cursors.length - 1];
  const list = useLoad(
    () => api.debtors({ q: query || undefined, limit: PAGE + 1, after }),
    [query, after],
  );
  const rows = (list.data ?? []).slice(0, PAGE);
  const more = (list.data ?? []).length > PAGE;
  return (
    <section aria-labelledby="debtors-title">
      <div className="screen-head">
        <h1 id="debtors-title">{t("debtors.title")}</h1>
        <div className="toolbar">
          <label>
            <span className="visually-hidden">{t("debtors.search")}</span>
            <input
              type="search"
              placeholder={t("debtors.search")}
              aria-label={t("debtors.search")}
              value={q}
              onChange={(e) => setQ(e.target.value)}
              name="q"
            />
          </label>
        </div>
      </div>
      <ProblemBox error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading />}
      <table className="grid-table" data-testid="debtors">
        <thead>
          <tr>
            <th scope="col">{t("debtors.ref")}</th>
            <th scope="col">{t("debtors.name")}</th>
            <th scope="col">{t("debtors.kind")}</th>
            <th scope="col">{t("debtors.country")}</th>
            <th scope="col">{t("debtors.language")}</th>
            <th scope="col">{t("debtors.email")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d: Debtor) => (
            <tr key={d.debtor_ref} onClick={(e) => !(e.target as HTMLElement).closest("a") && navigate(href("debtors", d.debtor_ref))}>
              <td>
                <a href={href("debtors", d.debtor_ref)}>{d.debtor_ref}</a>
              </td>
              <td>{d.profile.legal_name}</td>
              <td>{d.profile.kind}</td>
              <td>{d.profile.country}</td>
              <td>{d.profile.language.toUpperCase()}</td>
              <td>{d.profile.email ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data && rows.length === 0 && <p>{t("noRows")}</p>}
      <nav className="pager" aria-label={t("debtors.title")}>
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← {t("previous")}
        </button>
        <button type="button" disabled={!more} onClick={() => { const last = rows[rows.length - 1]; if (last) setCursors([...cursors, last.debtor_ref]); }}>
          {t("next")} →
        </button>
      </nav>
    </section>
  );
}
