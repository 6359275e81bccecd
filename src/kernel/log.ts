/** The logging the core needs (pino's shape); faces get Fastify's logger, which fits. */
export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
