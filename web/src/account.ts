// Who the signed-in key is (GET /v1/me): its role and permissions, so that
// the pages offer only the actions the role may take. The server still
// checks every request; this only keeps refusals from being offered.
import { request } from "./api";

export interface Account { user: string; role: string; tier: string; permissions: string[] }

let current: Account | null = null;

export async function loadAccount(): Promise<Account> {
  current = await request<Account>("GET", "/v1/me");
  return current;
}
export function forgetAccount(): void {
  current = null;
}
export function account(): Account | null {
  return current;
}
/** Whether the key's role holds `permission` ("runs:write", ...). */
export function can(permission: string): boolean {
  return current?.permissions.includes(permission) ?? false;
}
