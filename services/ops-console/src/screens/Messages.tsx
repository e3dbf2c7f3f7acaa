import { useState } from "react";
import type { Message } from "../api";
import { useSession } from "../context";
import { href } from "../router";
import { ActionForm, Dialog, Field, Loading, Notice, Pager, ProblemBox, useLoad, usePages } from "../ui";
import { MessageViewer } from "./Timeline";

const ACTIONS = ["mark_sent", "resend", "cancel"] as const;

export function MessagesScreen() {
  const { api, t, fmt } = useSession();
  const [notice, setNotice] = useState<string | null>(null);
  const [resolving, setResolving] = useState<Message | null>(null);
  const [viewing, setViewing] = useState<Message | null>(null);
  const list = useLoad(() => api.messages({ status: "needs_ops", limit: 1000 }), []);
  const paged = usePages(list.data?.messages ?? [], 15);
  return (
    <section aria-labelledby="messages-title">
      <div className="screen-head">
        <div>
          <h1 id="messages-title">{t("messages.title")}</h1>
          <p className="muted">{t("messages.intro")}</p>
        </div>
        <div className="toolbar">
          <button type="button" onClick={list.reload}>
            {t("refresh")}
          </button>
        </div>
      </div>
      <Notice text={notice} onClose={() => setNotice(null)} />
      <ProblemBox error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.messages.length === 0 && <p data-testid="messages-empty">{t("messages.none")}</p>}
      {paged.count > 0 && (
        <table className="grid-table" data-testid="messages">
          <thead>
            <tr>
              <th scope="col">{t("messages.created")}</th>
              <th scope="col">{t("worklist.debtor")}</th>
              <th scope="col">{t("messages.channel")}</th>
              <th scope="col">{t("messages.subject")}</th>
              <th scope="col">{t("messages.problem")}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {paged.rows.map((m) => (
              <tr key={m.message_id} data-message={m.message_id}>
                <td>{fmt.dateTime(m.created_at)}</td>
                <td>
                  <a href={href("debtors", m.debtor_ref)}>{m.debtor_ref}</a>
                </td>
                <td>
                  {t(`msg.${m.channel}`)}
                  <div className="small muted">{m.recipient}</div>
                </td>
                <td>
                  <button type="button" className="link" onClick={() => setViewing(m)}>
                    {m.subject}
                  </button>
                </td>
                <td className="small">
                  {m.failure_reason ?? m.status}
                  <div className="muted">
                    {m.attempts} × · {m.status}
                  </div>
                </td>
                <td>
                  <button type="button" className="primary" onClick={() => setResolving(m)}>
                    {t("messages.resolve")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager {...paged} label={t("messages.title")} />
      {viewing && <MessageViewer message={viewing} pdf={false} onClose={() => setViewing(null)} />}
      {resolving && (
        <ResolveDialog
          message={resolving}
          onClose={() => setResolving(null)}
          onDone={() => {
            setResolving(null);
            setNotice(t("messages.resolved"));
          }}
        />
      )}
    </section>
  );
}

function ResolveDialog({ message, onClose, onDone }: { message: Message; onClose(): void; onDone(): void }) {
  const { api, t, changed } = useSession();
  const [action, setAction] = useState<(typeof ACTIONS)[number] | "">("");
  const [note, setNote] = useState("");
  return (
    <Dialog title={`${t("messages.resolve")}: ${message.subject}`} onClose={onClose}>
      <p className="small muted">{message.failure_reason}</p>
      <ActionForm
        submitLabel={t("save")}
        onCancel={onClose}
        action={() => api.resolveMessage(message.message_id, { action: action as (typeof ACTIONS)[number], note })}
        onDone={() => {
          changed();
          onDone();
        }}
      >
        {(error) => (
          <>
            <fieldset className={error?.reasonFor("action") ? "field invalid" : "field"}>
              <legend>{t("messages.action")}</legend>
              {ACTIONS.map((a) => (
                <label key={a} className="radio">
                  <input type="radio" name="action" value={a} checked={action === a} onChange={() => setAction(a)} />
                  {t(`messages.${a}`)}
                </label>
              ))}
              {error?.reasonFor("action") && <small className="field-error">{error.reasonFor("action")}</small>}
            </fieldset>
            <Field label={t("field.note")} error={error?.reasonFor("note")}>
              {(p) => <textarea {...p} name="note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />}
            </Field>
          </>
        )}
      </ActionForm>
    </Dialog>
  );
}
