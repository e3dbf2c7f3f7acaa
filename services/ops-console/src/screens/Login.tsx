import { useState } from "react";
import { ApiError } from "../api";
import { useSession } from "../context";
import { type Lang, LANGS } from "../i18n";
import { Field, ProblemBox } from "../ui";
import { Api } from "../api";

export function LoginScreen({
  onLogin,
  setLang,
}: {
  onLogin(credentials: { key: string; user: string }): void;
  setLang(lang: Lang): void;
}) {
  const { t, config, lang } = useSession();
  const [key, setKey] = useState(config.apiKey ?? "");
  const [user, setUser] = useState(localStorage.getItem("console.user") ?? "");
  const [error, setError] = useState<unknown>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const errors: Record<string, string> = {};
    if (!key.trim()) errors.key = t("login.badKey");
    if (!user.trim()) errors.user = t("login.nameHelp");
    setFieldErrors(errors);
    if (Object.keys(errors).length) return;
    setBusy(true);
    setError(null);
    try {
      await new Api(config.services, key.trim()).worklist();
      localStorage.setItem("console.user", user.trim());
      onLogin({ key: key.trim(), user: user.trim() });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setFieldErrors({ key: t("login.badKey") });
      else if (err instanceof ApiError && err.status === 403) setFieldErrors({ key: t("login.noScope") });
      else setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login" id="main">
      <form className="login-card" onSubmit={submit} noValidate>
        <h1>
          <span className="logo" aria-hidden="true">€</span> {t("appName")}
        </h1>
        <h2>{t("login.title")}</h2>
        <p className="muted">{t("login.intro")}</p>
        <Field label={t("login.key")} error={fieldErrors.key} hint={config.apiKey ? t("login.devKey") : undefined}>
          {(p) => (
            <input {...p} type="password" name="api-key" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
          )}
        </Field>
        <Field label={t("login.name")} error={fieldErrors.user} hint={t("login.nameHelp")}>
          {(p) => (
            <input {...p} name="user" autoComplete="name" value={user} onChange={(e) => setUser(e.target.value)} autoFocus />
          )}
        </Field>
        <Field label={t("language")}>
          {(p) => (
            <select {...p} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
              {LANGS.map((l) => (
                <option key={l} value={l}>
                  {{ nl: "Nederlands", fr: "Français", en: "English" }[l]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ProblemBox error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t("login.submit")}
        </button>
      </form>
    </main>
  );
}
