import ora, { type Ora } from 'ora';

/**
 * Whether stderr can show a spinner: a terminal that reports its width. A pseudo-terminal of width 0 (`script` with
 * no real terminal behind it) made ora count an infinite number of lines to clear and write escape codes without end.
 */
export function spinnerFits(stream: { isTTY?: boolean; columns?: number }): boolean {
  return stream.isTTY === true && (stream.columns === undefined || stream.columns > 0);
}

/**
 * The spinner's options. discardStdin: false: ora's default puts stdin in raw mode to swallow keystrokes, which stops a
 * run started in the background of an interactive shell (`xva simulate &`: SIGTTOU, as an audit found); the spinner
 * only writes, so stdin is left alone (Ctrl-C still reaches the process as SIGINT from the terminal).
 */
export function spinnerOptions(text: string): { text: string; stream: NodeJS.WriteStream; discardStdin: false } {
  return { text, stream: process.stderr, discardStdin: false };
}

/** Progress on stderr, only when stderr is a terminal with a width and the command is not in --json/--quiet mode. */
export class Progress {
  private spinner: Ora | undefined;
  private readonly started = Date.now();
  constructor(text: string, enabled: boolean) {
    if (enabled && spinnerFits(process.stderr)) {
      this.spinner = ora(spinnerOptions(text)).start();
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
