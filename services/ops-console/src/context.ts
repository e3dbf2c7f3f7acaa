import { createContext, useContext } from "react";
import type { Api, ConsoleConfig } from "./api";
import type { Formatters } from "./format";
import type { Lang, Translate } from "./i18n";

export interface Session {
  api: Api;
  config: ConsoleConfig;
  user: string;
  lang: Lang;
  t: Translate;
  fmt: Formatters;
  /** The business date of the services (simulated or real), once known. */
  businessDate: string | null;
  /** Bumped whenever something changed the data (an action, the clock): screens reload. */
  revision: number;
  changed(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("no session");
  return session;
}
