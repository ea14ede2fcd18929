/** Where the kit writes what it does. Any object with these methods fits (console, pino, ...). */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Writes `[retry-kit] ...` lines to the console. */
export const consoleLogger: Logger = {
  info: (message) => console.log(`[retry-kit] ${message}`),
  warn: (message) => console.warn(`[retry-kit] ${message}`),
  error: (message) => console.error(`[retry-kit] ${message}`),
};

/** Writes nothing; listen to the client's events instead. */
export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** Warnings and errors only, to stderr: for programs whose stdout is their own. */
export const quietLogger: Logger = {
  info: () => {},
  warn: consoleLogger.warn,
  error: consoleLogger.error,
};
