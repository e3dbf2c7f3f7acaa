// The one module that knows the four services' public HTTP APIs. Screens call these functions;
// when an endpoint moves, only this file changes.

export type ServiceName = "invoice" | "dunning" | "credit" | "notification";
export type ServiceUrls = Record<ServiceName, string>;

export interface ConsoleConfig {
  services: ServiceUrls;
  environment: string;
  clock: "simulated" | "system";
  apiKey: string | null;
}

export interface FieldError {
  field: string;
  reason: string;
  in?: string;
}

/** An answer in RFC 9457 problem+json (or a network failure dressed as one). */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly type: string;
  readonly errors: FieldError[];
  readonly service: ServiceName;
  readonly path: string;

  constructor(
    service: ServiceName,
    path: string,
    status: number,
    body: Partial<{ title: string; detail: string; type: string; errors: FieldError[] }>,
  ) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.service = service;
    this.path = path;
    this.status = status;
    this.title = body.title ?? `HTTP ${status}`;
    this.detail = body.detail ?? "";
    this.type = body.type ?? "";
    this.errors = Array.isArray(body.errors) ? body.errors : [];
  }

  /** The reason given for one field, if any (matched on the last part of its name). */
  reasonFor(field: string): string | undefined {
    return this.errors.find((e) => e.field === field || e.field.endsWith(`.${field}`))?.reason;
  }
}

// --- shapes ------------------------------------------------------------------------------------

export type Money = string; // a decimal string, exactly as the services send it

export interface PostalAddress {
  street: string;
  postal_code: string;
  city: string;
  country: string;
}

export interface DebtorProfile {
  legal_name: string;
  kind: "B2B" | "B2C";
  country: string;
  language: string;
  email: string | null;
  phone: string | null;
  vat_number: string | null;
  enterprise_number: string | null;
  address: PostalAddress;
  payment_terms_days: number;
  po_required: boolean;
  iban: string[];
}

export interface Debtor {
  debtor_ref: string;
  profile: DebtorProfile;
  version: number;
}

export interface HistoryEvent {
  version: number;
  type: string;
  occurred_at: string;
  event_id: string;
  payload: Record<string, unknown>;
}

export interface Invoice {
  invoice_number: string;
  debtor_ref: string;
  issue_date: string;
  due_date: string;
  currency: string;
  amount_due: Money;
  open_amount: Money;
  payment_reference: string | null;
  status: "open" | "partially_paid" | "paid" | "cancelled" | "written_off";
  overdue_since: string | null;
  version: number;
}

export interface InvoiceDetail extends Invoice {
  history: HistoryEvent[];
}

export interface Allocation {
  invoice_number: string;
  amount: Money;
}

export interface Payment {
  payment_id: string;
  debtor_ref: string | null;
  amount: Money;
  currency: string;
  booking_date: string;
  source: string;
  bank_reference: string | null;
  structured_reference: string | null;
  remittance_info: string | null;
  counterparty_name: string | null;
  counterparty_iban: string | null;
  unallocated: Money;
  status: "unmatched" | "partially_allocated" | "allocated" | "reversed";
  match_method: string | null;
  allocations: (Allocation & Record<string, unknown>)[];
}

export interface UnmatchedReversal {
  reversal_id: string;
  status: "open" | "resolved" | "dismissed";
  bank_reference: string | null;
  account_iban: string | null;
  amount: Money;
  currency: string;
  booking_date: string;
  end_to_end_id: string | null;
  counterparty_iban: string | null;
  counterparty_name: string | null;
  reference: string | null;
  remittance_info: string | null;
  return_reason: string | null;
  reason: string | null;
  candidates: (string | { payment_id: string; [key: string]: unknown })[];
}

export type TaskKind =
  | "phone_call"
  | "promise_broken"
  | "plan_defaulted"
  | "dispute"
  | "formal_notice_approval";

export interface WorkItem {
  kind: TaskKind;
  debtor_ref: string;
  debtor_name: string | null;
  invoice_numbers: string[];
  detail: string;
  created_on: string;
  priority: string;
  overdue_amount: Money;
  days_overdue: number;
  risk_class: string | null;
  task_id: string | null;
  dispute_id: string | null;
}

export interface OpenItem {
  invoice_number: string;
  issue_date: string;
  due_date: string;
  currency: string;
  amount_due: Money;
  open_amount: Money;
  payment_reference: string | null;
  overdue: boolean;
  overdue_since: string | null;
  days_overdue: number;
}

export interface OpenItems {
  debtor_ref: string;
  as_of: string;
  items: OpenItem[];
  totals: { currency: string; open_amount: Money; overdue_amount: Money; items: number }[];
}

export interface CaseItem {
  invoice_number: string;
  status: string;
  open_amount: Money;
  currency: string;
  due_date: string;
  level: number;
  next_step_date: string | null;
  awaiting_approval: boolean;
  holds: string[];
  manual_hold_until: string | null;
  escalated_on: string | null;
}

export interface CaseFile {
  debtor_ref: string;
  status: string;
  policy: { policy_id: string; version: number; builtin: boolean } | null;
  agency: string | null;
  items: CaseItem[];
  history: { kind: string; on: string; summary: string }[];
  agency_updates: {
    status: string;
    note: string;
    on: string;
    amount: Money | null;
    currency: string | null;
  }[];
}

export interface CurrencyExposure {
  currency: string;
  open_amount: Money;
  overdue_amount: Money;
  open_items: number;
  overdue_items: number;
  oldest_overdue_since: string | null;
}

export interface CreditAccount {
  debtor_ref: string;
  as_of: string;
  exposure: CurrencyExposure[];
  limits: { currency: string; limit: Money; exposure: Money; headroom: Money; exceeded: boolean }[];
  hold: {
    on_hold: boolean;
    reasons: string[];
    placed_by: string | null;
    since: string | null;
    overridden: string[];
  };
  score: {
    score: number;
    risk_class: string;
    currency: string;
    as_of: string;
    parts: { name: string; points: string; max_points: string; reason: string }[];
  } | null;
  dunning: Record<string, number | string | null>;
  review: { reviewed_on: string | null; due_on: string | null } | null;
}

export interface LimitRequest {
  request_id: string;
  debtor_ref: string;
  currency: string;
  limit: Money;
  reason: string | null;
  requested_by: string;
  requested_at: string;
  status: "pending" | "approved" | "rejected";
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
}

export interface LimitOutcome {
  outcome: "applied" | "unchanged" | "pending_approval";
  request: LimitRequest | null;
  account: CreditAccount;
}

export interface Message {
  message_id: string;
  debtor_ref: string;
  channel: "email" | "letter" | "sms" | "webhook";
  recipient: string;
  status: string;
  template_key: string;
  language: string;
  subject: string;
  text: string;
  caused_by: { event_id: string; type: string; key: string };
  created_at: string;
  sent_at: string | null;
  delivered_at: string | null;
  failed_at: string | null;
  failure_reason: string | null;
  attempts: number;
  proof: Record<string, unknown> | null;
  pdf_sha256: string | null;
  pdf_url: string | null;
  html: string | null;
}

export interface DossierEntry {
  event_id: string;
  type: string;
  occurred_at: string;
  aggregate_type: string;
  aggregate_id: string;
  summary: string;
  payload: Record<string, unknown>;
}

export interface Dossier {
  debtor_ref: string;
  entries: DossierEntry[];
  messages: Message[];
}

export interface KpiValue {
  value: string | null;
  explanation: Record<string, string | number | boolean | null>;
  steps: { month: string; sales: Money; ar_to_explain: Money; days_added: string }[] | null;
}

export interface AgingBucket {
  label: string;
  min_days: number;
  max_days: number | null;
  amount: Money;
  items: number;
}

export interface CurrencyKpis {
  currency: string;
  aging: { total: Money; buckets: AgingBucket[] };
  dso_standard: KpiValue;
  dso_countback: KpiValue;
  best_possible_dso: KpiValue;
  average_days_delinquent: KpiValue;
  cei: KpiValue;
}

export interface KpiReport {
  as_of: string;
  period_start: string;
  period_end: string;
  currency: string | null;
  currencies: CurrencyKpis[];
}

export interface ServiceStatus {
  service: string;
  clock: { mode: string; now: string; business_date: string };
}

// --- the client --------------------------------------------------------------------------------

type Query = Record<string, string | number | boolean | null | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  raw?: boolean;
}

export class Api {
  constructor(
    private readonly urls: ServiceUrls,
    private readonly key: string,
  ) {}

  private async request<T>(
    service: ServiceName,
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const url = new URL(this.urls[service] + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null && value !== "") {
        url.searchParams.set(name, String(value));
      }
    }
    const headers: Record<string, string> = { Authorization: `Bearer ${this.key}` };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch {
      throw new ApiError(service, path, 0, {
        title: "Service unreachable",
        detail: `${service}-service did not answer (${this.urls[service]})`,
      });
    }
    if (!response.ok) {
      let body: Record<string, unknown> = {};
      try {
        body = (await response.json()) as Record<string, unknown>;
      } catch {
        body = { title: response.statusText };
      }
      throw new ApiError(service, path, response.status, body);
    }
    if (options.raw) return (await response.blob()) as T;
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  // invoice-service
  debtors(query: { q?: string; limit?: number; after?: string } = {}) {
    return this.request<Debtor[]>("invoice", "GET", "/v1/debtors", { query });
  }
  debtor(ref: string) {
    return this.request<Debtor>("invoice", "GET", `/v1/debtors/${enc(ref)}`);
  }
  invoices(query: {
    debtor_ref?: string;
    status?: string;
    overdue?: boolean;
    limit?: number;
    after?: string;
  }) {
    return this.request<Invoice[]>("invoice", "GET", "/v1/invoices", { query });
  }
  invoice(number: string) {
    return this.request<InvoiceDetail>("invoice", "GET", `/v1/invoices/${enc(number)}`);
  }
  payments(query: { status?: string; debtor_ref?: string; limit?: number }) {
    return this.request<Payment[]>("invoice", "GET", "/v1/payments", { query });
  }
  allocatePayment(paymentId: string, allocations: Allocation[]) {
    return this.request<Payment>("invoice", "POST", `/v1/payments/${enc(paymentId)}/allocations`, {
      body: { allocations },
    });
  }

  private readonly documents = new Map<ServiceName, Promise<Set<string>>>();

  /** Does this service's OpenAPI document list ``path``? (For endpoints that are newer than
   * some deployments: asking first keeps a missing one from being called at all.) */
  async offers(service: ServiceName, path: string): Promise<boolean> {
    let paths = this.documents.get(service);
    if (!paths) {
      paths = fetch(`${this.urls[service]}/openapi.json`).then(
        async (r) => new Set(r.ok ? Object.keys(((await r.json()) as { paths?: object }).paths ?? {}) : []),
        () => new Set<string>(),
      );
      this.documents.set(service, paths);
    }
    return (await paths).has(path);
  }

  /** The bank reversals that named no single payment (invoice-service). */
  unmatchedReversals() {
    return this.request<UnmatchedReversal[]>("invoice", "GET", "/v1/unmatched-reversals", {
      query: { status: "open", limit: 1000 },
    });
  }
  resolveReversal(id: string, body: { payment_id: string | null; dismiss: boolean; note: string | null }) {
    const decision = body.payment_id ? { payment_id: body.payment_id, note: body.note } : { dismiss: true, note: body.note };
    return this.request<UnmatchedReversal>("invoice", "POST", `/v1/unmatched-reversals/${enc(id)}:resolve`, {
      body: decision,
    });
  }

  // dunning-service
  worklist(kind?: TaskKind) {
    return this.request<WorkItem[]>("dunning", "GET", "/v1/worklist", { query: { kind } });
  }
  openItems(ref: string) {
    return this.request<OpenItems>("dunning", "GET", `/v1/debtors/${enc(ref)}/open-items`);
  }
  caseFile(ref: string) {
    return this.request<CaseFile>("dunning", "GET", `/v1/cases/${enc(ref)}`);
  }
  openDispute(body: { invoice_number: string; reason: string; note: string }) {
    return this.request<Record<string, unknown>>("dunning", "POST", "/v1/disputes", { body });
  }
  resolveDispute(disputeId: string, body: { outcome: string; note: string }) {
    return this.request<Record<string, unknown>>(
      "dunning",
      "POST",
      `/v1/disputes/${enc(disputeId)}/resolution`,
      { body },
    );
  }
  makePromise(body: {
    debtor_ref: string;
    invoice_numbers: string[] | null;
    amount: Money;
    currency: string;
    promised_date: string;
  }) {
    return this.request<Record<string, unknown>>("dunning", "POST", "/v1/promises", { body });
  }
  agreePlan(body: {
    debtor_ref: string;
    invoice_numbers: string[] | null;
    currency: string;
    instalments: { due_date: string; amount: Money }[];
    grace_days: number;
  }) {
    return this.request<Record<string, unknown>>("dunning", "POST", "/v1/payment-plans", { body });
  }
  placeHold(body: {
    debtor_ref: string;
    invoice_numbers: string[] | null;
    until: string;
    reason: string;
  }) {
    return this.request<Record<string, unknown>>("dunning", "POST", "/v1/holds", { body });
  }
  recordNote(
    ref: string,
    body: { text: string; author: string; outcome: string | null; task_id: string | null },
  ) {
    return this.request<Record<string, unknown>>("dunning", "POST", `/v1/debtors/${enc(ref)}/notes`, {
      body,
    });
  }
  approveFormalNotice(taskId: string) {
    return this.request<{ task_id: string; reminder_id: string | null; sent: boolean }>(
      "dunning",
      "POST",
      `/v1/worklist/${enc(taskId)}/approve`,
    );
  }
  completeTask(taskId: string, outcome: string) {
    return this.request<Record<string, unknown>>("dunning", "POST", `/v1/worklist/${enc(taskId)}/complete`, {
      body: { outcome },
    });
  }

  // credit-service
  creditAccount(ref: string) {
    return this.request<CreditAccount>("credit", "GET", `/v1/debtors/${enc(ref)}/credit-account`);
  }
  setCreditLimit(ref: string, currency: string, body: { limit: Money; requested_by: string; reason: string | null }) {
    return this.request<LimitOutcome>(
      "credit",
      "PUT",
      `/v1/debtors/${enc(ref)}/credit-limits/${enc(currency)}`,
      { body },
    );
  }
  limitRequests(status: "pending" | "approved" | "rejected" = "pending") {
    return this.request<LimitRequest[]>("credit", "GET", "/v1/credit-limit-requests", {
      query: { status },
    });
  }
  decideLimitRequest(requestId: string, approve: boolean, body: { by: string; note: string | null }) {
    return this.request<LimitRequest>(
      "credit",
      "POST",
      `/v1/credit-limit-requests/${enc(requestId)}:${approve ? "approve" : "reject"}`,
      { body },
    );
  }
  kpis(query: { as_of?: string; from?: string; currency?: string; debtor_ref?: string }) {
    return this.request<KpiReport>("credit", "GET", "/v1/kpis", { query });
  }

  // notification-service
  dossier(ref: string, query: { limit?: number; before?: string } = {}) {
    return this.request<Dossier>("notification", "GET", `/v1/debtors/${enc(ref)}/dossier`, { query });
  }
  messages(query: { status?: string; channel?: string; limit?: number }) {
    return this.request<{ messages: Message[] }>("notification", "GET", "/v1/messages", { query });
  }
  message(id: string) {
    return this.request<Message>("notification", "GET", `/v1/messages/${enc(id)}`);
  }
  messagePdf(id: string) {
    return this.request<Blob>("notification", "GET", `/v1/messages/${enc(id)}/pdf`, { raw: true });
  }
  resolveMessage(id: string, body: { action: "mark_sent" | "resend" | "cancel"; note: string }) {
    return this.request<Message>("notification", "POST", `/v1/messages/${enc(id)}/resolution`, {
      body,
    });
  }

  // operations (admin scope)
  status(service: ServiceName) {
    return this.request<ServiceStatus>(service, "GET", "/v1/admin/status");
  }
  advanceClock(days: number) {
    return this.request<{ from: string; to: string }>("invoice", "POST", "/v1/admin/clock:advance", {
      body: { days },
    });
  }
}

const enc = encodeURIComponent;

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return (await response.json()) as ConsoleConfig;
}

export const SERVICES: ServiceName[] = ["invoice", "dunning", "credit", "notification"];
