// api.js - every call to the server goes through api(): it adds the session's bearer token,
// turns an error body into an ApiError (status, code, message, field), and on a 401 from
// any call ends the session and returns to the login page, so the page's session expires
// exactly when the API's token does.

const TOKEN = 'yilian.token';
const USER = 'yilian.user';
const EXPIRES = 'yilian.expires_at';

export class ApiError extends Error {
    constructor(status, code, message, field) {
        super(message || code || `HTTP ${status}`);
        this.status = status;
        this.code = code || '';
        this.field = field || '';
    }
}

let onUnauthorized = () => {};

export const session = {
    token: () => sessionStorage.getItem(TOKEN),
    user: () => JSON.parse(sessionStorage.getItem(USER) || 'null'),
    start(login) {
        sessionStorage.removeItem('yilian.home_ou');
        sessionStorage.setItem(TOKEN, login.token);
        sessionStorage.setItem(USER, JSON.stringify(login.user));
        sessionStorage.setItem(EXPIRES, login.expires_at || '');
    },
    end() {
        sessionStorage.removeItem('yilian.home_ou');
        sessionStorage.removeItem(TOKEN);
        sessionStorage.removeItem(USER);
        sessionStorage.removeItem(EXPIRES);
    },
    // Past the token's absolute lifetime (expires_at of the login): ended without asking.
    expired() {
        const at = Date.parse(sessionStorage.getItem(EXPIRES) || '');
        return !Number.isNaN(at) && Date.now() >= at;
    },
    can(perm) {
        const u = session.user();
        return !!u && (u.permissions || []).includes(perm);
    },
    // The scope string "kind:code" split, e.g. {kind: 'team', code: '1'}; region has no code.
    scope() {
        const s = (session.user() || {}).scope || '';
        const i = s.indexOf(':');
        return i < 0 ? { kind: s, code: '' } : { kind: s.slice(0, i), code: s.slice(i + 1) };
    },
    whenUnauthorized(fn) { onUnauthorized = fn; },
};

export async function api(path, { method = 'GET', body } = {}) {
    if (session.token() && session.expired()) {
        session.end();
        onUnauthorized();
        throw new ApiError(401, 'unauthorized', 'the session has ended');
    }
    const headers = { Accept: 'application/json' };
    const token = session.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let r;
    try {
        r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
        throw new ApiError(0, 'unreachable', e.message);
    }
    const type = r.headers.get('Content-Type') || '';
    const data = r.status === 204 ? null : type.includes('json') ? await r.json() : await r.text();
    if (r.status === 401 && path !== '/api/login') {
        session.end();
        onUnauthorized();
    }
    if (!r.ok) {
        const e = (data && data.error) || {};
        throw new ApiError(r.status, e.code, e.message, e.field);
    }
    return data;
}

// A query string from an object, leaving out empty values.
export function qs(params) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params))
        if (v !== undefined && v !== null && v !== '') p.set(k, v);
    const s = p.toString();
    return s ? `?${s}` : '';
}

// Every page of a list endpoint ({items, next}), up to `max` items.
export async function apiAll(path, params = {}, max = 5000) {
    const out = [];
    let cursor = '';
    do {
        const page = await api(path + qs({ ...params, limit: 1000, cursor }));
        out.push(...page.items);
        cursor = page.next || '';
    } while (cursor && out.length < max);
    return out;
}
