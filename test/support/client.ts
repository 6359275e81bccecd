/**
 * The test client and the shapes every helper shares, free of the test runner: the bench
 * builds its world with the same fixtures without starting a test harness.
 */
import { type AddressInfo, createServer } from 'node:net';
import type { BuiltApp } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import type { Db } from '../../src/db/db.ts';

export interface Response<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
  text: string;
}

export class Client {
  constructor(
    private readonly built: BuiltApp,
    readonly token?: string,
  ) {}

  as(token: string | undefined): Client {
    return new Client(this.built, token);
  }

  async request<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response<T>> {
    const response = await this.built.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    let parsed: unknown;
    try {
      parsed = response.body ? JSON.parse(response.body) : undefined;
    } catch {
      parsed = response.body;
    }
    return { status: response.statusCode, body: parsed as T, headers: response.headers, text: response.body };
  }

  get = <T = any>(url: string) => this.request<T>('GET', url);
  post = <T = any>(url: string, body?: unknown) => this.request<T>('POST', url, body);
  put = <T = any>(url: string, body?: unknown) => this.request<T>('PUT', url, body);
  delete = <T = any>(url: string) => this.request<T>('DELETE', url);
}

export interface TestContext {
  backend: 'pglite' | 'postgres';
  built: BuiltApp;
  db: Db;
  config: Config;
  /** Platform administrator (the bootstrap credential). */
  admin: Client;
  anonymous: Client;
}

export const testSecret = 'test-secret-0123456789abcdef0123456789abcdef';

/** A TCP port that was free a moment ago (for servers whose URL must be known up front). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let counter = 0;
/** A unique, label-safe name. */
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;
