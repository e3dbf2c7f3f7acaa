import { useCallback, useEffect, useMemo, useState } from "react";
import { Api, ApiError, type ConsoleConfig, SERVICES } from "./api";
import { type Session, SessionContext, useSession } from "./context";
import { formatters } from "./format";
import { initialLang, type Lang, LANGS, LOCALES, translator } from "./i18n";
import { href, useRoute } from "./router";
import { DebtorScreen } from "./screens/Debtor";
import { DebtorsScreen } from "./screens/Debtors";
import { KpiScreen } from "./screens/Kpis";
import { LimitsScreen } from "./screens/Limits";
import { LoginScreen } from "./screens/Login";
import { MessagesScreen } from "./screens/Messages";
import { PaymentsScreen } from "./screens/Payments";
import { WorklistScreen } from "./screens/Worklist";
import { ProblemBox } from "./ui";

interface Credentials {
  key: string;
  user: string;
}

function storedCredentials(): Credentials | null {
  const raw = sessionStorage.getItem("console.credentials");
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Credentials;
    return parsed.key && parsed.user ? parsed : null;
  } catch {
    return null;
  }
}

export function App({ config }: { config: ConsoleConfig }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [credentials, setCredentials] = useState<Credentials | null>(storedCredentials);
  const [revision, setRevision] = useState(0);
  const [businessDate, setBusinessDate] = useState<string | null>(null);
  const setLang = (next: Lang) => {
    localStorage.setItem("console.lang", next);
    setLangState(next);
  };
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const t = useMemo(() => translator(lang), [lang]);
  const fmt = useMemo(() => formatters(LOCALES[lang]), [lang]);
  const changed = useCallback(() => setRevision((r) => r + 1), []);
  const api = useMemo(
    () => new Api(config.services, credentials?.key ?? config.apiKey ?? ""),
    [config, credentials],
  );
  const session: Session = {
    api,
    config,
    user: credentials?.user ?? "",
    lang,
    t,
    fmt,
    businessDate,
    revision,
    changed,
  };
  useEffect(() => {
    if (!credentials) return;
    api.status("dunning").then(
      (s) => setBusinessDate(s.clock.business_date),
      () => setBusinessDate(null),
    );
  }, [api, credentials, revision]);

  const login = (next: Credentials) => {
    sessionStorage.setItem("console.credentials", JSON.stringify(next));
    setCredentials(next);
    if (!window.location.hash || window.location.hash === "#/") window.location.hash = "#/worklist";
  };
  const logout = () => {
    sessionStorage.removeItem("console.credentials");
    setCredentials(null);
  };
  return (
    <SessionContext.Provider value={session}>
      {credentials ? (
        <Shell onLogout={logout} setLang={setLang} />
      ) : (
        <LoginScreen onLogin={login} setLang={setLang} />
      )}
    </SessionContext.Provider>
  );
}

function LanguagePicker({ setLang }: { setLang(lang: Lang): void }) {
  const { t, lang } = useSession();
  return (
    <label className="lang">
      <span className="visually-hidden">{t("language")}</span>
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} aria-label={t("language")}>
        {LANGS.map((l) => (
          <option key={l} value={l}>
            {l.toUpperCase()}
          </option>
        ))}
      </select>
    </label>
  );
}

const NAV = [
  ["worklist", "nav.worklist"],
  ["debtors", "nav.debtors"],
  ["payments", "nav.payments"],
  ["messages", "nav.messages"],
  ["limits", "nav.limits"],
  ["kpis", "nav.kpis"],
] as const;

function Shell({ onLogout, setLang }: { onLogout(): void; setLang(lang: Lang): void }) {
  const { t, user } = useSession();
  const route = useRoute();
  const [section = "worklist", ...rest] = route.parts;
  useEffect(() => {
    const name = NAV.find(([key]) => key === section);
    document.title = `${name ? t(name[1]) : t("console")} — ${t("appName")}`;
  }, [section, t]);
  let screen;
  switch (section) {
    case "debtors":
      screen = rest[0] ? <DebtorScreen debtorRef={rest[0]} taskId={route.query.get("task")} /> : <DebtorsScreen />;
      break;
    case "payments":
      screen = <PaymentsScreen />;
      break;
    case "messages":
      screen = <MessagesScreen />;
      break;
    case "limits":
      screen = <LimitsScreen />;
      break;
    case "kpis":
      screen = <KpiScreen />;
      break;
    default:
      screen = <WorklistScreen />;
  }
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
        {t("skipToContent")}
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">€</span>
          <span>{t("appName")}</span>
        </div>
        <nav aria-label={t("console")}>
          <ul>
            {NAV.map(([key, label]) => (
              <li key={key}>
                <a href={href(key)} aria-current={section === key ? "page" : undefined}>
                  {t(label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="session">
          <Clock />
          <LanguagePicker setLang={setLang} />
          <span className="user" title={t("loggedInAs", { name: user })}>{user}</span>
          <button type="button" onClick={onLogout}>
            {t("logout")}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {screen}
      </main>
    </>
  );
}

/** The services' business date; in simulated time, a control to move it forward. */
function Clock() {
  const { api, config, t, fmt, businessDate, changed } = useSession();
  const [days, setDays] = useState("1");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState(false);
  if (!businessDate) return null;
  if (config.clock !== "simulated") {
    return (
      <span className="clock" title={t("clock.system")}>
        {fmt.date(businessDate)}
      </span>
    );
  }
  const advance = async () => {
    setError(null);
    const n = Number(days);
    try {
      const moved = await api.advanceClock(n);
      const target = moved.to.slice(0, 10);
      setBusy(t("clock.moving", { date: fmt.date(target) }));
      const deadline = Date.now() + 120_000;
      for (;;) {
        const dates = await Promise.all(SERVICES.map((s) => api.status(s)));
        if (dates.every((d) => d.clock.business_date >= target)) break;
        if (Date.now() > deadline) throw new Error(`the services did not reach ${target}`);
        await new Promise((r) => setTimeout(r, 400));
      }
      setBusy(null);
      setOpen(false);
      changed();
    } catch (err) {
      setBusy(null);
      setError(err instanceof ApiError || err instanceof Error ? err : String(err));
    }
  };
  return (
    <div className="clock">
      <button type="button" onClick={() => setOpen(!open)} aria-expanded={open} aria-controls="clock-panel" data-testid="clock-toggle">
        <span className="muted">{t("clock.businessDate")}</span> <strong data-testid="business-date">{fmt.date(businessDate)}</strong>
      </button>
      {open && (
        <div id="clock-panel" className="clock-panel" role="group" aria-label={t("clock.title")}>
          <strong>{t("clock.title")}</strong>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void advance();
            }}
          >
            <label>
              {t("clock.days")}{" "}
              <input type="number" min={1} max={400} value={days} onChange={(e) => setDays(e.target.value)} name="days" />
            </label>
            <button type="submit" className="primary" disabled={busy !== null}>
              {t("clock.advance")}
            </button>
          </form>
          {busy && <p role="status">{busy}</p>}
          <ProblemBox error={error} />
        </div>
      )}
    </div>
  );
}
