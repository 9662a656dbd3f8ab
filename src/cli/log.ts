/**
 * Log lines for batch runs: `2026-11-25T18:50:01.123Z xva optimize: <text>` on stderr, one per event, so that a cron
 * log reads as a timeline (stdout keeps the report or the --json document).
 */
export type LogFn = (text: string) => void;

export function stderrLog(command: string, enabled = true, now: () => Date = () => new Date()): LogFn {
  return (text: string) => {
    if (enabled) process.stderr.write(`${now().toISOString()} xva ${command}: ${text}\n`);
  };
}
