import { useEffect, useMemo, useState } from "react";
import type { Api, CaseFile, Dossier, DossierEntry, HistoryEvent, Message } from "../api";
import { useSession } from "../context";
import type { Formatters } from "../format";
import { isKey, type Translate } from "../i18n";
import { PdfPages } from "../pdf";
import { Dialog, Loading, ProblemBox, useLoad } from "../ui";

export type Source = "invoice" | "dunning" | "notification" | "credit";
const SOURCES: Source[] = ["invoice", "dunning", "notification", "credit"];

export interface TimelineEntry {
  id: string;
  /** ISO date (YYYY-MM-DD) and, when known, the moment. */
  day: string;
  at: string | null;
  source: Source;
  kind: string;
  text: string;
  invoices: string[];
  message?: Message;
}

const MAX_INVOICE_HISTORIES = 100;

/** Everything the three services know about the debtor, in one list (newest first):
 * invoice-service's event history of each invoice, dunning-service's case history, and
 * notification-service's dossier (its messages, and the credit events it recorded). The same
 * event seen by two services (same event id) shows once. */
export async function loadTimeline(
  api: Api,
  debtorRef: string,
  caseFile: CaseFile | null,
  dossierPages: number,
): Promise<{ entries: HistoryLike[]; more: boolean; dossier: Dossier | null }> {
  const invoices = await api.invoices({ debtor_ref: debtorRef, limit: MAX_INVOICE_HISTORIES });
  const histories = await Promise.all(invoices.map((i) => api.invoice(i.invoice_number)));
  let dossier: Dossier | null = null;
  const dossierEntries: DossierEntry[] = [];
  let more = false;
  try {
    let before: string | undefined;
    for (let page = 0; page < dossierPages; page++) {
      const part = await api.dossier(debtorRef, { limit: 200, before });
      if (page === 0) dossier = part;
      dossierEntries.push(...part.entries);
      more = part.entries.length === 200;
      const last = part.entries[part.entries.length - 1];
      if (!more || !last) break;
      before = last.event_id;
    }
  } catch (error) {
    if (!(error instanceof Error && "status" in error && error.status === 404)) throw error;
  }
  const entries: HistoryLike[] = [];
  for (const invoice of histories) {
    for (const event of invoice.history) entries.push({ origin: "invoice", event });
  }
  for (const entry of dossierEntries) entries.push({ origin: "dossier", entry });
  for (const item of caseFile?.history ?? []) entries.push({ origin: "case", item });
  for (const update of caseFile?.agency_updates ?? []) entries.push({ origin: "agency", update });
  for (const message of dossier?.messages ?? []) entries.push({ origin: "message", message });
  return { entries, more, dossier };
}

export type HistoryLike =
  | { origin: "invoice"; event: HistoryEvent }
  | { origin: "dossier"; entry: DossierEntry }
  | { origin: "case"; item: CaseFile["history"][number] }
  | { origin: "agency"; update: CaseFile["agency_updates"][number] }
  | { origin: "message"; message: Message };

const str = (v: unknown) => (v === null || v === undefined ? "" : String(v));

function eventText(type: string, p: Record<string, unknown>, t: Translate, fmt: Formatters): string | null {
  const name = type.split(".").pop() ?? type;
  const key = `ev.${name}`;
  if (!isKey(key)) return null;
  const currency = str(p.currency) || "EUR";
  const amount =
    p.amount !== undefined
      ? fmt.money(str(p.amount), currency)
      : p.open_amount !== undefined
        ? fmt.money(str(p.open_amount), currency)
        : p.amount_due !== undefined
          ? fmt.money(str(p.amount_due), currency)
          : "";
  const profile = (p.profile ?? {}) as Record<string, unknown>;
  return t(key, {
    invoice: str(p.invoice_number),
    amount,
    due: fmt.date(str(p.due_date)),
    note: str(p.credit_note_number),
    payment: str(p.payment_id),
    name: str(profile.legal_name),
    from: str(p.previous) || "—",
    to: str(p.risk_class),
    score: str(p.score),
    currency,
    limit: fmt.money(str(p.limit), currency),
    agency: str(p.agency),
    status: str(p.status),
  });
}

function invoicesOf(p: Record<string, unknown>): string[] {
  if (Array.isArray(p.invoice_numbers)) return p.invoice_numbers.map(String);
  return p.invoice_number ? [String(p.invoice_number)] : [];
}

/** Turn what the services said into one list, each event once, newest first. */
export function mergeTimeline(all: HistoryLike[], t: Translate, fmt: Formatters): TimelineEntry[] {
  const seen = new Set<string>();
  const out: TimelineEntry[] = [];
  for (const h of all) {
    if (h.origin === "invoice") {
      const e = h.event;
      if (seen.has(e.event_id)) continue;
      seen.add(e.event_id);
      out.push({
        id: e.event_id,
        day: e.occurred_at.slice(0, 10),
        at: e.occurred_at,
        source: "invoice",
        kind: e.type,
        text: eventText(e.type, e.payload, t, fmt) ?? e.type,
        invoices: invoicesOf(e.payload),
      });
    }
  }
  for (const h of all) {
    if (h.origin === "dossier") {
      const e = h.entry;
      // dunning's own story comes from its case file, messages from the message list
      if (seen.has(e.event_id) || e.type.startsWith("dunning.") || e.type.startsWith("notification.")) {
        if (e.type !== "dunning.DebtorEscalatedToCollection") continue;
      }
      seen.add(e.event_id);
      const source: Source = e.type.startsWith("credit.")
        ? "credit"
        : e.type.startsWith("invoicing.")
          ? "invoice"
          : "dunning";
      out.push({
        id: e.event_id,
        day: e.occurred_at.slice(0, 10),
        at: e.occurred_at,
        source,
        kind: e.type,
        text: eventText(e.type, e.payload, t, fmt) ?? e.summary,
        invoices: invoicesOf(e.payload),
      });
    } else if (h.origin === "case") {
      const { item } = h;
      const label = isKey(`dunning.${item.kind}`) ? t(`dunning.${item.kind}` as "dunning.note") : item.kind;
      out.push({
        id: `case:${item.kind}:${item.on}:${item.summary}`,
        day: item.on,
        at: null,
        source: "dunning",
        kind: item.kind,
        text: `${label}: ${item.summary}`,
        invoices: item.summary.match(/[A-Z][A-Z0-9-]*\d/g) ?? [],
      });
    } else if (h.origin === "agency") {
      const u = h.update;
      out.push({
        id: `agency:${u.on}:${u.status}:${u.note}`,
        day: u.on,
        at: null,
        source: "dunning",
        kind: "agency",
        text: `${t("dunning.agency")}: ${u.status}${u.note ? ` — ${u.note}` : ""}${u.amount ? ` (${fmt.money(u.amount, u.currency ?? "EUR")})` : ""}`,
        invoices: [],
      });
    } else if (h.origin === "message") {
      const m = h.message;
      const at = m.sent_at ?? m.created_at;
      out.push({
        id: `message:${m.message_id}`,
        day: at.slice(0, 10),
        at,
        source: "notification",
        kind: m.channel,
        text: m.subject,
        invoices: [],
        message: m,
      });
    }
  }
  const key = (e: TimelineEntry) => `${e.day}T${e.at ? e.at.slice(11, 19) : "12:00:00"}`;
  return out.sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : a.id < b.id ? 1 : -1));
}

const PAGE = 25;

export function Timeline({ debtorRef, caseFile }: { debtorRef: string; caseFile: CaseFile | null | undefined }) {
  const { api, t, fmt } = useSession();
  const [pages, setPages] = useState(1);
  const [shown, setShown] = useState(PAGE);
  const [sources, setSources] = useState<Set<Source>>(new Set(SOURCES));
  const [viewing, setViewing] = useState<{ message: Message; pdf: boolean } | null>(null);
  const loaded = useLoad(
    () => (caseFile === undefined ? new Promise<never>(() => {}) : loadTimeline(api, debtorRef, caseFile, pages)),
    [debtorRef, caseFile, pages],
  );
  const entries = useMemo(
    () => (loaded.data ? mergeTimeline(loaded.data.entries, t, fmt) : []),
    [loaded.data, t, fmt],
  );
  const visible = entries.filter((e) => sources.has(e.source));
  return (
    <section className="panel timeline" aria-labelledby="timeline-title" data-testid="timeline">
      <div className="panel-head">
        <h2 id="timeline-title">{t("timeline.title")}</h2>
        <fieldset className="chips">
          <legend className="visually-hidden">{t("timeline.filter")}</legend>
          {SOURCES.map((s) => (
            <label key={s} className={`chip source-${s}`}>
              <input
                type="checkbox"
                checked={sources.has(s)}
                onChange={() => {
                  const next = new Set(sources);
                  if (next.has(s)) next.delete(s);
                  else next.add(s);
                  setSources(next);
                }}
              />
              {t(`timeline.source.${s}`)}
            </label>
          ))}
        </fieldset>
      </div>
      <ProblemBox error={loaded.error} onRetry={loaded.reload} />
      {loaded.loading && !loaded.data && <Loading />}
      {loaded.data && visible.length === 0 && <p className="muted">{t("timeline.empty")}</p>}
      <ol className="events">
        {visible.slice(0, shown).map((e) => (
          <li
            key={e.id}
            className={`event source-${e.source}`}
            data-source={e.source}
            data-kind={e.kind}
            data-template={e.message?.template_key}
            data-status={e.message?.status}
          >
            <div className="when">
              <time dateTime={e.at ?? e.day}>{fmt.date(e.day)}</time>
              {e.at && <span className="muted small">{fmt.dateTime(e.at).split(/,\s*|\s(?=\d)/).pop()}</span>}
            </div>
            <div className="what">
              <span className={`source-badge source-${e.source}`}>
                {e.message ? t(`msg.${e.message.channel}`) : t(`timeline.source.${e.source}`)}
              </span>{" "}
              <span className="text">{e.text}</span>
              {e.message && (
                <div className="message-line">
                  <span className="muted small">
                    {t("msg.to", { recipient: e.message.recipient })} · <span className={`status status-${e.message.status}`}>{e.message.status}</span>
                    {e.message.failure_reason ? ` · ${e.message.failure_reason}` : ""}
                  </span>
                  <span className="buttons">
                    <button type="button" className="link" onClick={() => setViewing({ message: e.message!, pdf: false })}>
                      {t("timeline.viewEmail")}
                    </button>
                    {e.message.pdf_url && (
                      <button type="button" className="link" data-testid="open-letter" onClick={() => setViewing({ message: e.message!, pdf: true })}>
                        {t("timeline.viewLetter")}
                      </button>
                    )}
                  </span>
                </div>
              )}
            </div>
          </li>
        ))}
      </ol>
      {(visible.length > shown || loaded.data?.more) && (
        <button
          type="button"
          onClick={() => {
            if (visible.length > shown) setShown(shown + PAGE);
            else setPages(pages + 1);
          }}
        >
          {t("timeline.more")}
        </button>
      )}
      {viewing && <MessageViewer message={viewing.message} pdf={viewing.pdf} onClose={() => setViewing(null)} />}
    </section>
  );
}

/** The e-mail as sent (text, and its HTML in a sandbox), or the PDF letter. */
export function MessageViewer({ message, pdf, onClose }: { message: Message; pdf: boolean; onClose(): void }) {
  const { api, t, fmt } = useSession();
  const [url, setUrl] = useState<string | null>(null);
  const [blobInfo, setBlobInfo] = useState<{ type: string; size: number; data: ArrayBuffer } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const full = useLoad(() => api.message(message.message_id), [message.message_id]);
  useEffect(() => {
    if (!pdf) return;
    let objectUrl: string | null = null;
    api.messagePdf(message.message_id).then(
      async (blob) => {
        objectUrl = URL.createObjectURL(blob);
        setBlobInfo({ type: blob.type, size: blob.size, data: await blob.arrayBuffer() });
        setUrl(objectUrl);
      },
      setError,
    );
    return () => {
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [api, message.message_id, pdf]);
  const m = full.data ?? message;
  return (
    <Dialog title={m.subject} onClose={onClose} wide>
      <dl className="facts">
        <dt>{t("messages.channel")}</dt>
        <dd>{t(`msg.${m.channel}`)}</dd>
        <dt>{t("messages.recipient")}</dt>
        <dd>{m.recipient}</dd>
        <dt>{t("messages.created")}</dt>
        <dd>{fmt.dateTime(m.sent_at ?? m.created_at)}</dd>
        {m.pdf_sha256 && (
          <>
            <dt>SHA-256</dt>
            <dd className="small mono">{m.pdf_sha256}</dd>
          </>
        )}
      </dl>
      <ProblemBox error={error} />
      {pdf ? (
        url ? (
          <div className="pdf" data-testid="letter-pdf" data-type={blobInfo?.type} data-size={blobInfo?.size}>
            {blobInfo && <PdfPages data={blobInfo.data} label={m.subject} />}
            <a href={url} download={`${m.message_id}.pdf`}>
              {t("timeline.viewLetter")} ↓
            </a>
          </div>
        ) : (
          !error && <Loading />
        )
      ) : m.html ? (
        <iframe className="mail-html" title={m.subject} sandbox="" srcDoc={m.html} data-testid="mail-html" />
      ) : (
        <pre className="mail-text" data-testid="mail-text">{m.text}</pre>
      )}
    </Dialog>
  );
}
