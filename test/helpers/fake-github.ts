/**
 * A small fake of the GitHub REST API on 127.0.0.1 (random port), enough for the sticky PR
 * comment: list (paginated with Link headers), create, update and delete issue comments,
 * GET /user, GET a pull request. Every request is recorded; failures are configurable.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  /** `owner/repo` */
  repo: string;
  issueNumber: number;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export interface FakeGitHubOptions {
  /** Login GET /user returns; null → 403 as for a GITHUB_TOKEN (installation token). */
  tokenUser?: string | null;
  /** Status returned for POST …/comments (e.g. 403 for a fork PR's read-only token). */
  failCreate?: number;
  /** Status returned for PATCH …/comments/:id. */
  failUpdate?: number;
  /** Status returned for GET …/comments. */
  failList?: number;
  /** Pull requests GET /repos/:o/:r/pulls/:n knows: number → head sha. */
  pulls?: Record<number, { headSha: string }>;
}

export interface FakeGitHub {
  url: string;
  options: FakeGitHubOptions;
  requests: RecordedRequest[];
  comments: FakeComment[];
  /** Adds a comment as if someone posted it earlier; returns it. */
  addComment(repo: string, issueNumber: number, body: string, login: string): FakeComment;
  /** Requests that change something (POST, PATCH, DELETE). */
  writes(): RecordedRequest[];
  close(): Promise<void>;
}

const BOT_LOGIN = 'github-actions[bot]';

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  const comments: FakeComment[] = [];
  let nextId = 1000;

  const addComment = (repo: string, issueNumber: number, body: string, login: string): FakeComment => {
    const c: FakeComment = {
      id: nextId++,
      repo,
      issueNumber,
      body,
      user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' },
    };
    comments.push(c);
    return c;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
        authorization: req.headers.authorization,
      };
      requests.push(recorded);
      const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
      route(recorded, origin, res);
    });
  });

  const send = (
    res: http.ServerResponse,
    status: number,
    payload: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = payload === null ? '' : JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(text);
  };
  const fail = (res: http.ServerResponse, status: number) =>
    send(res, status, {
      message: status === 403 ? 'Resource not accessible by integration' : 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
    });
  const toApi = (c: FakeComment, origin: string) => ({
    id: c.id,
    body: c.body,
    user: { login: c.user.login, type: c.user.type },
    html_url: `${origin}/${c.repo}/pull/${c.issueNumber}#issuecomment-${c.id}`,
  });

  const route = (r: RecordedRequest, origin: string, res: http.ServerResponse) => {
    if (r.method === 'GET' && r.path === '/user') {
      if (options.tokenUser === null || options.tokenUser === undefined) return fail(res, 403);
      return send(res, 200, { login: options.tokenUser, type: 'User' });
    }
    const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(r.path);
    if (list) {
      const repo = `${list[1]}/${list[2]}`;
      const issueNumber = Number(list[3]);
      if (r.method === 'GET') {
        if (options.failList) return fail(res, options.failList);
        const perPage = Math.min(Number(r.query.per_page ?? 30), 100);
        const page = Number(r.query.page ?? 1);
        const all = comments.filter((c) => c.repo === repo && c.issueNumber === issueNumber);
        const pages = Math.max(1, Math.ceil(all.length / perPage));
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page < pages) {
          const link = (p: number) => `<${origin}${r.path}?per_page=${perPage}&page=${p}>`;
          headers.link = `${link(page + 1)}; rel="next", ${link(pages)}; rel="last"`;
        }
        return send(
          res,
          200,
          slice.map((c) => toApi(c, origin)),
          headers,
        );
      }
      if (r.method === 'POST') {
        if (options.failCreate) return fail(res, options.failCreate);
        const text = (r.body as { body?: unknown } | null)?.body;
        if (typeof text !== 'string') return send(res, 422, { message: 'body is required' });
        const login = options.tokenUser ?? BOT_LOGIN;
        return send(res, 201, toApi(addComment(repo, issueNumber, text, login), origin));
      }
    }
    const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(r.path);
    if (one) {
      const idx = comments.findIndex((c) => c.id === Number(one[3]) && c.repo === `${one[1]}/${one[2]}`);
      if (idx < 0) return fail(res, 404);
      if (r.method === 'PATCH') {
        if (options.failUpdate) return fail(res, options.failUpdate);
        const text = (r.body as { body?: unknown } | null)?.body;
        if (typeof text !== 'string') return send(res, 422, { message: 'body is required' });
        comments[idx]!.body = text;
        return send(res, 200, toApi(comments[idx]!, origin));
      }
      if (r.method === 'DELETE') {
        comments.splice(idx, 1);
        res.writeHead(204);
        return res.end();
      }
    }
    const pull = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(r.path);
    if (pull && r.method === 'GET') {
      const pr = options.pulls?.[Number(pull[3])];
      if (!pr) return fail(res, 404);
      return send(res, 200, { number: Number(pull[3]), state: 'open', head: { sha: pr.headSha } });
    }
    return fail(res, 404);
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    options,
    requests,
    comments,
    addComment,
    writes: () => requests.filter((r) => r.method !== 'GET'),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
