/**
 * A minimal cookie-keeping user agent for driving the real login pages over HTTP: follows redirects by
 * hand, remembers cookies per path-less origin, and reads forms out of the returned HTML.
 */
export class Browser {
  private readonly cookies = new Map<string, string>();
  /** sent with every request (e.g. to pin the next steps to one instance behind a load balancer) */
  headers: Record<string, string> = {};

  private remember(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> | [string, string][] } = {},
  ): Promise<Response> {
    const response = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        ...this.headers,
        cookie: this.cookieHeader(),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    this.remember(response);
    return response;
  }

  /**
   * Requests `url` and follows redirects until a page answers, or until a redirect leaves for `stopAt`
   * (a client's redirect URI): returns that final response and its URL.
   */
  async follow(
    url: string,
    init: { method?: string; form?: Record<string, string> | [string, string][] } = {},
    stopAt?: (url: string) => boolean,
  ): Promise<{ url: string; response: Response }> {
    let current = url;
    let response = await this.request(current, init);
    for (let hops = 0; hops < 20 && response.status >= 300 && response.status < 400; hops++) {
      current = new URL(response.headers.get('location')!, current).toString();
      if (stopAt?.(current)) return { url: current, response };
      response = await this.request(current);
    }
    return { url: current, response };
  }
}

/** The first form's action (resolved against `base`) and its hidden inputs. */
export function readForm(html: string, base: string, index = 0): { action: string; hidden: Record<string, string> } {
  const forms = [...html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
  const form = forms[index];
  if (!form) throw new Error(`no form #${index} in page:\n${html.slice(0, 2000)}`);
  const hidden: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name) hidden[name] = value.replaceAll('&amp;', '&');
  }
  return { action: new URL(form[1]!.replaceAll('&amp;', '&'), base).toString(), hidden };
}
