// app.js - the dashboard's shell: the page table, the hash router, the menu that shows only
// the pages the logged-in role may use (the permissions /api/login and /api/me return), the
// language switch, and the return to login when a session ends.
//
// A route is "#/name/arg?query". Each page is an ES module with
// `render(main, {arg, params, go}) -> cleanup?`, loaded when first opened.

import { api, session } from './api.js';
import { t, setLang, getLang, applyStatic } from './i18n.js';
import { h, clear, message } from './ui.js';

// The pages in menu order. `perm`: the permission the page needs; `roles`: when only some
// roles with it get an answer (the access endpoints, the worklists); `menu: false` for
// pages opened from another (a resident's record).
const PAGES = [
    { name: 'overview', label: 'nav.overview', perm: 'aggregate_read', load: () => import('./pages/overview.js') },
    { name: 'drill', label: 'nav.drill', perm: 'aggregate_read', load: () => import('./pages/drill.js') },
    { name: 'map', label: 'nav.map', perm: 'aggregate_read', roles: ['admin', 'analyst', 'epidemiologist'], load: () => import('./pages/map.js') },
    { name: 'worklist', label: 'nav.worklist', perm: 'record_read', roles: ['family_doctor', 'village_doctor', 'facility_admin'], load: () => import('./pages/worklist.js') },
    { name: 'referrals', label: 'nav.referrals', perm: 'record_read', load: () => import('./pages/referrals.js') },
    { name: 'alerts', label: 'nav.alerts', perm: 'aggregate_read', roles: ['admin', 'epidemiologist', 'analyst'], load: () => import('./pages/alerts.js') },
    { name: 'admin', label: 'nav.admin', perm: 'user_admin', load: () => import('./pages/admin.js') },
    { name: 'resident', label: 'nav.resident', perm: 'session', menu: false, load: () => import('./pages/resident.js') },
    { name: 'login', label: 'nav.login', perm: null, menu: false, load: () => import('./pages/login.js') },
];

function allowed(page) {
    if (page.perm === null) return true;
    const u = session.user();
    if (!u || !session.can(page.perm)) return false;
    return !page.roles || page.roles.includes(u.role);
}

// The first page the role may open: where login lands.
export function homePage() {
    const p = PAGES.find((x) => x.menu !== false && allowed(x));
    return p ? p.name : 'resident';
}

function parseHash() {
    const raw = location.hash.replace(/^#\/?/, '');
    const [path, query = ''] = raw.split('?');
    const [name, ...rest] = path.split('/');
    return { name: name || '', arg: rest.join('/'), params: new URLSearchParams(query) };
}

export function go(name, params = {}, arg = '') {
    const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null)).toString();
    location.hash = `#/${name}${arg ? `/${arg}` : ''}${q ? `?${q}` : ''}`;
}

function renderNav(current) {
    const nav = document.getElementById('nav');
    clear(nav);
    if (!session.user()) return;
    const ul = h('ul');
    for (const p of PAGES) {
        if (p.menu === false || !allowed(p)) continue;
        ul.append(h('li', {}, h('a', {
            href: `#/${p.name}`, 'aria-current': p.name === current ? 'page' : false,
            dataset: { page: p.name },
        }, t(p.label))));
    }
    nav.append(ul);
}

function renderTools() {
    const u = session.user();
    const who = document.getElementById('who');
    who.textContent = u ? `${u.username} · ${t(`role.${u.role}`)}` : '';
    document.getElementById('logout').hidden = !u;
}

let cleanup = null;
let seq = 0;

async function route(ev) {
    const { name, arg, params } = parseHash();
    const main = document.getElementById('main');
    if (!session.user() && name !== 'login') {
        go('login', name && name !== 'login' ? { then: location.hash.slice(1) } : {});
        return;
    }
    const page = PAGES.find((p) => p.name === name);
    if (!page) {
        go(session.user() ? homePage() : 'login');
        return;
    }
    const mine = ++seq;
    if (cleanup) { try { cleanup(); } catch { /* a page's own teardown */ } }
    cleanup = null;
    renderNav(page.name);
    renderTools();
    document.title = `${t(page.label)} · ${t('app.brand')}`;
    clear(main);
    if (!allowed(page)) {
        main.append(h('h1', {}, t(page.label)), message(t('error.page_forbidden'), 'error'));
        return;
    }
    // Each visit renders into a view of its own: a page still loading when the user moves
    // on writes into its detached view, never into the next page.
    const view = h('div', { class: 'view', dataset: { page: page.name } }, message(t('app.loading')));
    main.append(view);
    try {
        const mod = await page.load();
        if (mine !== seq) return;
        clear(view);
        const done = await mod.render(view, { arg, params, go, home: homePage });
        if (mine === seq) cleanup = done || null;
        else if (done) done();
        // After moving to another page, keyboard and screen-reader users start at its top.
        if (ev && page.name !== 'login' && mine === seq && !view.contains(document.activeElement)) main.focus();
    } catch (e) {
        if (mine !== seq) return;
        console.error(e);
        clear(view);
        view.append(h('h1', {}, t(page.label)), message(`${t('error.page_failed')}: ${e.message}`, 'error'));
    }
}

async function logout() {
    try { await api('/api/logout', { method: 'POST' }); } catch { /* ended already */ }
    session.end();
    go('login');
}

function start() {
    const lang = document.getElementById('lang');
    lang.value = getLang();
    setLang(getLang());
    lang.addEventListener('change', () => { setLang(lang.value); route(); });
    document.getElementById('logout').addEventListener('click', logout);
    session.whenUnauthorized(() => {
        if (parseHash().name !== 'login') go('login', { expired: 1 });
    });
    applyStatic();
    window.addEventListener('hashchange', route);
    route();
}

start();
