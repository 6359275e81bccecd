/**
 * A minimal user agent over fetch for protocol tests: a cookie jar per host, manual
 * redirects, and form submission by parsing the page's forms. (The browser tests drive
 * the same flows in Chromium.)
 */
export interface Page {
  url: string;
  status: number;
  body: string;
}

export class Agent {
  private readonly jar = new Map<string, Map<string, string>>();

  /**
   * Where a request really goes (e.g. one of several instances behind one public URL);
   * cookies stay keyed by the URL's own host, as behind a load balancer.
   */
  route: (url: string) => string = (url) => url;

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  setCookie(url: string, name: string, value: string) {
    const host = new URL(url).host;
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    this.jar.get(host)!.set(name, value);
  }

  /** One request, no redirect following. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const host = new URL(url).host;
    const cookies = [...(this.jar.get(host) ?? new Map())].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(this.route(url), {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: { ...(cookies ? { cookie: cookies } : {}), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const [name, ...value] = pair.split('=');
      if (!this.jar.has(host)) this.jar.set(host, new Map());
      const expired = attributes.some((a) => /max-age=0\b/i.test(a.trim()));
      if (expired) this.jar.get(host)!.delete(name.trim());
      else this.jar.get(host)!.set(name.trim(), value.join('='));
    }
    return response;
  }

  /**
   * Follows redirects until a page is shown or a redirect leaves for `stopAt` (an origin
   * or URL prefix that is not served, e.g. a client's redirect URI). Returns the last URL.
   */
  async follow(url: string, init: { method?: string; form?: Record<string, string> } = {}, stopAt?: string): Promise<Page> {
    let response = await this.request(url, init);
    let current = url;
    for (let hops = 0; response.status >= 300 && response.status < 400; hops++) {
      if (hops > 20) throw new Error('too many redirects');
      current = new URL(response.headers.get('location')!, current).href;
      if (stopAt && current.startsWith(stopAt)) return { url: current, status: response.status, body: '' };
      response = await this.request(current);
    }
    return { url: current, status: response.status, body: await response.text() };
  }

  /** Submits the form of `page` whose markup contains `marker`, with `fields` filled in. */
  async submit(page: Page, marker: string, fields: Record<string, string>, stopAt?: string): Promise<Page> {
    const forms = [...page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
    const form = forms.find((f) => f[0].includes(marker));
    if (!form) throw new Error(`no form with ${marker} on ${page.url}:\n${page.body}`);
    const action = decodeEntities(/action="([^"]*)"/.exec(form[1])?.[1] ?? page.url);
    const values: Record<string, string> = {};
    for (const input of form[2].matchAll(/<input\b([^>]*)>/g)) {
      const name = /name="([^"]*)"/.exec(input[1])?.[1];
      const value = /value="([^"]*)"/.exec(input[1])?.[1] ?? '';
      const isBox = /type="checkbox"/.test(input[1]);
      if (name && (!isBox || /\bchecked\b/.test(input[1]))) values[name] = decodeEntities(value);
    }
    return this.follow(new URL(action, page.url).href, { form: { ...values, ...fields } }, stopAt);
  }
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
