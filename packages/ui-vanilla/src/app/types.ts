import type { DashboardClient } from "@ductor/dashboard-client";

export type Client = DashboardClient;
export type StatusData = Awaited<ReturnType<Client["status"]>>;
export type HealthData = Awaited<ReturnType<Client["health"]>>;
export type SessionData = Awaited<ReturnType<Client["sessions"]>>[number];
export type TaskData = Awaited<ReturnType<Client["tasks"]>>[number];
export type LogFileData = Awaited<ReturnType<Client["logs"]["list"]>>[number];
export type LogChunkData = Awaited<ReturnType<Client["logs"]["read"]>>;
export type Stream = ReturnType<Client["stream"]>;

export type Route = "status" | "stream" | "sessions" | "logs";
export const ROUTES: readonly Route[] = ["status", "stream", "sessions", "logs"];

/** A view of the app. It ends with the scope it was created with; nothing else tears it down. */
export interface View {
  readonly el: HTMLElement;
  show(): void;
  hide(): void;
  /** Called every second while the app is mounted (relative times, countdowns). */
  tick?(now: number): void;
}

/** What views may ask of the app. */
export interface AppContext {
  readonly client: Client;
  /** The server refused the token: stop everything and show the connect form with `reason`. */
  refuse(reason: string): void;
  /**
   * Whether the server is a relay (`ductor-dashboard serve` with the token): `null` until the live stream's first
   * open says. Relay-only requests wait for it rather than ask plain ductor for a 404. Absent: ask and see.
   */
  isRelay?(): boolean | null;
}
