import ora, { type Ora } from 'ora';

/** Progress on stderr, only when stderr is a TTY and the command is not in --json/--quiet mode. */
export class Progress {
  private spinner: Ora | undefined;
  private readonly started = Date.now();
  constructor(text: string, enabled: boolean) {
    if (enabled && process.stderr.isTTY) {
      this.spinner = ora({ text, stream: process.stderr }).start();
    }
  }

  /** Updates the text; with a fraction done it shows percent and an ETA. */
  update(text: string, fractionDone?: number): void {
    if (!this.spinner) return;
    if (fractionDone !== undefined && fractionDone > 0) {
      const elapsed = (Date.now() - this.started) / 1000;
      const eta = (elapsed * (1 - fractionDone)) / fractionDone;
      this.spinner.text = `${text} ${(100 * fractionDone).toFixed(0)}% (ETA ${eta.toFixed(0)}s)`;
    } else this.spinner.text = text;
  }

  succeed(text?: string): void {
    this.spinner?.succeed(text);
    this.spinner = undefined;
  }

  fail(text?: string): void {
    this.spinner?.fail(text);
    this.spinner = undefined;
  }

  stop(): void {
    this.spinner?.stop();
    this.spinner = undefined;
  }
}
