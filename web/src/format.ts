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

/** A fraction (0.51) as a percent ("51 %"), at most 4 decimals. */
export function formatShare(fraction: number): string {
  return `${new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 }).format(fraction * 100)} %`;
}

/** Seconds as "1 h 2 min", "3 min 4 s" or "5.2 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${formatNumber(Math.round(seconds * 10) / 10)} s`;
  const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** 1 -> "Jan". */
export function monthName(month: number): string {
  return months[month - 1] ?? String(month);
}
