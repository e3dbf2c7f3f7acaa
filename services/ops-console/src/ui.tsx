import {
  type DependencyList,
  type FormEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
} from "react";
import { ApiError } from "./api";
import { useSession } from "./context";

// --- loading data ------------------------------------------------------------------------------

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Runs ``load`` whenever ``deps`` (or the session's revision) change; keeps the last data. */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const { revision } = useSession();
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, revision, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

// --- problems ----------------------------------------------------------------------------------

export function ProblemBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useSession();
  if (!error) return null;
  if (!(error instanceof ApiError)) {
    return (
      <div className="problem" role="alert">
        <strong>{t("problem.title")}</strong>
        <p>{String(error instanceof Error ? error.message : error)}</p>
      </div>
    );
  }
  return (
    <div className="problem" role="alert" data-status={error.status}>
      <strong>{error.title}</strong>
      {error.detail && <p>{error.detail}</p>}
      {error.errors.length > 0 && (
        <table className="problem-fields">
          <thead>
            <tr>
              <th scope="col">{t("problem.field")}</th>
              <th scope="col">{t("problem.reason")}</th>
            </tr>
          </thead>
          <tbody>
            {error.errors.map((e, i) => (
              <tr key={i}>
                <td>
                  <code>{e.field}</code>
                </td>
                <td>{e.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">
        {t("problem.service", { service: error.service, status: error.status || "—" })}
      </p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t("retry")}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  const { t } = useSession();
  return (
    <p className="loading" role="status" aria-live="polite">
      {t("loading")}
    </p>
  );
}

// --- pagination --------------------------------------------------------------------------------

export function usePages<T>(rows: T[], size = 15) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const current = Math.min(page, pages - 1);
  useEffect(() => {
    if (page > pages - 1) setPage(pages - 1);
  }, [page, pages]);
  return {
    rows: rows.slice(current * size, current * size + size),
    page: current,
    pages,
    count: rows.length,
    setPage,
  };
}

export function Pager({
  page,
  pages,
  count,
  setPage,
  label,
}: {
  page: number;
  pages: number;
  count: number;
  setPage(page: number): void;
  label: string;
}) {
  const { t } = useSession();
  if (count === 0) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" onClick={() => setPage(page - 1)} disabled={page === 0}>
        ← {t("previous")}
      </button>
      <span>{t("pageOf", { page: page + 1, pages, count })}</span>
      <button type="button" onClick={() => setPage(page + 1)} disabled={page >= pages - 1}>
        {t("next")} →
      </button>
    </nav>
  );
}

// --- dialogs and forms -------------------------------------------------------------------------

/** A modal dialog (native <dialog>: focus stays inside, Escape closes it). */
export function Dialog({
  title,
  onClose,
  children,
  wide,
}: {
  title: string;
  onClose(): void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { t } = useSession();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? "dialog wide" : "dialog"}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon" onClick={onClose} aria-label={t("close")}>
          ×
        </button>
      </header>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}

/** A form that submits through ``action``, shows the API's problem (with field reasons) inline
 * and marks each field the API named. */
export function ActionForm({
  action,
  onDone,
  submitLabel,
  children,
  onCancel,
}: {
  action(): Promise<unknown>;
  onDone(result: unknown): void;
  submitLabel: string;
  children: (error: ApiError | null) => ReactNode;
  onCancel?(): void;
}) {
  const { t } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await action();
      onDone(result);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate className="form">
      {children(error instanceof ApiError ? error : null)}
      <ProblemBox error={error} />
      <div className="form-actions">
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {t("cancel")}
          </button>
        )}
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

export function Field({
  label,
  error,
  children,
  hint,
}: {
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className={error ? "field invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        "aria-invalid": Boolean(error),
        ...(error ? { "aria-describedby": errorId } : {}),
      })}
      {hint && <small className="muted">{hint}</small>}
      {error && (
        <small id={errorId} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

export function Notice({ text, onClose }: { text: string | null; onClose(): void }) {
  useEffect(() => {
    if (!text) return;
    const timer = window.setTimeout(onClose, 6000);
    return () => window.clearTimeout(timer);
  }, [text, onClose]);
  if (!text) return null;
  return (
    <div className="notice" role="status" aria-live="polite">
      {text}
    </div>
  );
}

export function RiskBadge({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  return <span className={`risk risk-${value}`}>{value}</span>;
}
