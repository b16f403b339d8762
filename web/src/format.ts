// How the application writes numbers and times: thousands separators, the
// API's precision, and UTC times in the API's ISO format.

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 8 });

/** 1234567 -> "1,234,567"; 1234.5 -> "1,234.5" (at most 8 decimals, as the API). */
export function formatNumber(value: number): string {
  return grouped.format(value);
}

/** A bytes count in B, KB or MB (1,024-based), one decimal. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatNumber(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** An API time ("2024-01-02T13:00:00Z") as it is shown: unchanged, in UTC. */
export function formatTime(iso: string | null | undefined): string {
  return iso ?? "—";
}
