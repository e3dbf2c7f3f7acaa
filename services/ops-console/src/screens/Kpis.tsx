import { useState } from "react";
import type { CurrencyKpis, KpiReport, KpiValue } from "../api";
import { BarChart, LineChart, type Series, StackedBars } from "../charts";
import { useSession } from "../context";
import { monthEnds } from "../format";
import { isKey } from "../i18n";
import { Loading, ProblemBox, useLoad } from "../ui";

const BUCKET_CLASSES = ["b-current", "b-1-30", "b-31-60", "b-61-90", "b-90"];

/** Receivables KPIs as of the business date, per currency, and their month-end trend: one
 * ``/v1/kpis?as_of=`` query per month (the services compute past dates from dated facts). */
export function KpiScreen() {
  const { api, t, fmt, businessDate } = useSession();
  const [months, setMonths] = useState(6);
  const [chosen, setChosen] = useState<string | null>(null);
  const report = useLoad(() => api.kpis({}), []);
  const asOf = report.data?.as_of ?? businessDate;
  const trend = useLoad(
    async () => {
      if (!asOf) return [] as KpiReport[];
      return Promise.all(monthEnds(asOf, months).map((end) => api.kpis({ as_of: end })));
    },
    [asOf, months],
  );
  const currencies = report.data?.currencies.map((c) => c.currency) ?? [];
  const currency = chosen && currencies.includes(chosen) ? chosen : (currencies[0] ?? null);
  const line = report.data?.currencies.find((c) => c.currency === currency);
  return (
    <section aria-labelledby="kpis-title" data-testid="kpis">
      <div className="screen-head">
        <div>
          <h1 id="kpis-title">{t("kpis.title")}</h1>
          {report.data && (
            <p className="muted">
              {t("kpis.asOf", { date: fmt.date(report.data.as_of) })} ·{" "}
              {t("kpis.period", { from: fmt.date(report.data.period_start), to: fmt.date(report.data.period_end) })}
            </p>
          )}
        </div>
        <div className="toolbar">
          <div role="tablist" aria-label={t("kpis.currency")} className="tabs">
            {currencies.map((c) => (
              <button
                key={c}
                type="button"
                role="tab"
                aria-selected={c === currency}
                data-currency={c}
                onClick={() => setChosen(c)}
              >
                {c}
              </button>
            ))}
          </div>
          <label>
            {t("kpis.months")}{" "}
            <select value={months} onChange={(e) => setMonths(Number(e.target.value))} name="months">
              {[3, 6, 12].map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <ProblemBox error={report.error} onRetry={report.reload} />
      {report.loading && !report.data && <Loading />}
      {report.data && !line && <p>{t("kpis.noData")}</p>}
      {line && <CurrencyPanel line={line} />}
      {line && (
        <section className="panel" aria-labelledby="trend-title">
          <h2 id="trend-title">{t("kpis.trend")}</h2>
          <ProblemBox error={trend.error} onRetry={trend.reload} />
          {trend.loading && !trend.data && <Loading />}
          {trend.data && currency && <Trend reports={trend.data} currency={currency} />}
        </section>
      )}
    </section>
  );
}

function Figure({ label, kpi, unit, testId }: { label: string; kpi: KpiValue; unit: "days" | "percent"; testId: string }) {
  const { t, fmt } = useSession();
  const explanation = Object.entries(kpi.explanation)
    .map(([k, v]) => `${k}: ${v ?? "—"}`)
    .join("\n");
  return (
    <div className="figure" data-testid={testId} data-value={kpi.value ?? ""} title={explanation}>
      <span className="figure-label">{label}</span>
      <span className="figure-value">
        {kpi.value === null
          ? t("kpis.undefined")
          : unit === "days"
            ? t("kpis.days", { value: fmt.number(kpi.value, 1) })
            : `${fmt.number(kpi.value, 1)} %`}
      </span>
      <span className="figure-formula small muted">{String(kpi.explanation.formula ?? "")}</span>
    </div>
  );
}

function CurrencyPanel({ line }: { line: CurrencyKpis }) {
  const { t, fmt } = useSession();
  const c = line.currency;
  const compact = (v: number) =>
    new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 }).format(v);
  return (
    <>
      <div className="figures">
        <Figure label={t("kpis.dsoStandard")} kpi={line.dso_standard} unit="days" testId="kpi-dso-standard" />
        <Figure label={t("kpis.dsoCountback")} kpi={line.dso_countback} unit="days" testId="kpi-dso-countback" />
        <Figure label={t("kpis.bestPossible")} kpi={line.best_possible_dso} unit="days" testId="kpi-bpdso" />
        <Figure label={t("kpis.add")} kpi={line.average_days_delinquent} unit="days" testId="kpi-add" />
        <Figure label={t("kpis.cei")} kpi={line.cei} unit="percent" testId="kpi-cei" />
      </div>
      <section className="panel" aria-labelledby="aging-title">
        <h2 id="aging-title">
          {t("kpis.aging")} <span className="muted small" data-testid="aging-total" data-value={line.aging.total}>{t("kpis.agingTotal", { amount: fmt.money(line.aging.total, c) })}</span>
        </h2>
        <BarChart
          testId="aging-chart"
          title={`${t("kpis.aging")} (${c})`}
          formatAxis={compact}
          bars={line.aging.buckets.map((b, i) => ({
            key: b.label,
            label: bucketLabel(b.label, t),
            value: Number(b.amount),
            display: fmt.money(b.amount, c),
            className: BUCKET_CLASSES[i] ?? "",
          }))}
        />
        <table className="visually-hidden">
          <caption>{t("kpis.aging")}</caption>
          <tbody>
            {line.aging.buckets.map((b) => (
              <tr key={b.label}>
                <th scope="row">{bucketLabel(b.label, t)}</th>
                <td>{fmt.money(b.amount, c)}</td>
                <td>{b.items}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

function bucketLabel(label: string, t: ReturnType<typeof useSession>["t"]): string {
  const key = `bucket.${label}`;
  return isKey(key) ? t(key) : label;
}

function Trend({ reports, currency }: { reports: KpiReport[]; currency: string }) {
  const { t, fmt } = useSession();
  const labels = reports.map((r) => fmt.month(r.as_of));
  const lines = reports.map((r) => r.currencies.find((c) => c.currency === currency));
  const pick = (f: (l: CurrencyKpis) => KpiValue) =>
    lines.map((l) => (l && f(l).value !== null ? Number(f(l).value) : null));
  const dso: Series[] = [
    { key: "dso_standard", label: t("kpis.dsoStandard"), values: pick((l) => l.dso_standard), className: "s1" },
    { key: "dso_countback", label: t("kpis.dsoCountback"), values: pick((l) => l.dso_countback), className: "s2" },
    { key: "best_possible_dso", label: t("kpis.bestPossible"), values: pick((l) => l.best_possible_dso), className: "s3" },
    { key: "average_days_delinquent", label: t("kpis.add"), values: pick((l) => l.average_days_delinquent), className: "s4" },
  ];
  const cei: Series[] = [{ key: "cei", label: t("kpis.cei"), values: pick((l) => l.cei), className: "s1" }];
  const labelsOf = lines.find((l) => l)?.aging.buckets.map((b) => b.label) ?? [];
  const aging: Series[] = labelsOf.map((label, i) => ({
    key: label,
    label: bucketLabel(label, t),
    values: lines.map((l) => (l ? Number(l.aging.buckets[i]?.amount ?? 0) : 0)),
    className: BUCKET_CLASSES[i] ?? "",
  }));
  const compact = (v: number) =>
    new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 }).format(v);
  return (
    <div className="trend-grid">
      <LineChart testId="dso-trend" title={t("kpis.dsoTrend")} labels={labels} series={dso} formatValue={(v) => fmt.number(v, 0)} />
      <LineChart testId="cei-trend" title={t("kpis.ceiTrend")} labels={labels} series={cei} formatValue={(v) => fmt.number(v, 0)} allowNegative />
      <StackedBars testId="aging-trend" title={`${t("kpis.agingTrend")} (${currency})`} labels={labels} series={aging} formatValue={compact} />
    </div>
  );
}
