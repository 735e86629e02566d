// admin.js - the commission's administration: users and their roles and scopes (list,
// create, POST /api/users; disable or enable, change role and scope, PATCH /api/users/{id}),
// and a search of the audit trail (GET /api/audit: user, resource, dates; newest first,
// paged).

import { api, apiAll, qs } from '../api.js';
import { h, message, errorText, sortableTable, field, select, t, fmt } from '../ui.js';

const ROLES = ['admin', 'facility_admin', 'family_doctor', 'village_doctor', 'epidemiologist', 'analyst'];
const SCOPE_HINT = {
    admin: 'region', facility_admin: 'facility:CODE', family_doctor: 'team:ID',
    village_doctor: 'ou:VILLAGE-CODE', epidemiologist: 'region | ou:CODE', analyst: 'region | ou:CODE',
};

export async function render(main, { params }) {
    main.append(h('h1', {}, t('admin.title')));
    const users = h('section', { class: 'card', id: 'users' }, h('h2', {}, t('admin.users')));
    const audit = h('section', { class: 'card', id: 'audit' }, h('h2', {}, t('admin.audit')));
    main.append(users, audit);
    await Promise.all([renderUsers(users), renderAudit(audit, params)]);
}

async function renderUsers(box) {
    const list = h('div');
    const note = h('div', { 'aria-live': 'polite' });
    let rows = [];
    async function patch(u, body, done) {
        note.replaceChildren();
        try {
            await api(`/api/users/${u.id}`, { method: 'PATCH', body });
            note.append(message(t(done, { name: u.username }), 'ok'));
            await refresh();
        } catch (e) {
            note.append(message(e.status === 400 || e.status === 409 ? `${t('error.refused')}: ${e.message}` : errorText(e), 'error'));
        }
    }
    async function refresh() {
        try {
            rows = await apiAll('/api/users');
            list.replaceChildren(sortableTable([
                { key: 'username', label: t('admin.username') },
                { key: 'display_name', label: t('admin.display_name') },
                { key: 'role', label: t('admin.role'), format: (u) => t(`role.${u.role}`) },
                { key: 'scope', label: t('admin.scope') },
                { key: 'disabled', label: t('admin.disabled'), format: (u) => (u.disabled ? t('admin.disabled') : t('admin.active')) },
                { key: 'created_at', label: t('admin.created_at'), format: (u) => fmt.dateTime(u.created_at) },
                { key: 'act', label: t('admin.act'), sort: () => 0, format: (u) => h('button', {
                    type: 'button', dataset: { toggle: u.username },
                    onclick: () => patch(u, { disabled: !u.disabled }, u.disabled ? 'admin.enabled' : 'admin.disabled_done'),
                }, u.disabled ? t('admin.enable') : t('admin.disable')) },
            ], rows, { sortKey: 'username', rowAttrs: (u) => ({ dataset: { user: u.username, disabled: u.disabled ? '1' : '0' } }) }));
            who.replaceChildren(...rows.map((u) => h('option', { value: u.username }, u.username)));
        } catch (e) {
            list.replaceChildren(message(errorText(e), 'error'));
        }
    }
    const username = h('input', { name: 'username', required: true, autocomplete: 'off' });
    const display = h('input', { name: 'display_name' });
    const role = select(ROLES.map((r) => [r, t(`role.${r}`)]), 'analyst', { name: 'role' });
    const scope = h('input', { name: 'scope', value: 'region', required: true });
    const scopeField = field(t('admin.scope'), scope, SCOPE_HINT.analyst);
    role.addEventListener('change', () => { scopeField.querySelector('small').textContent = SCOPE_HINT[role.value]; });
    const password = h('input', { name: 'password', type: 'password', minlength: 10, required: true, autocomplete: 'new-password' });
    const form = h('form', { class: 'inline', id: 'new-user', novalidate: true },
        field(t('admin.username'), username), field(t('admin.display_name'), display), field(t('admin.role'), role),
        scopeField, field(t('admin.password'), password),
        h('div', { class: 'field' }, h('span', { class: 'label-space' }, '\u00a0'), h('button', { type: 'submit', class: 'primary' }, t('common.create'))));
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        note.replaceChildren();
        try {
            await api('/api/users', { method: 'POST', body: {
                username: username.value, display_name: display.value || username.value, role: role.value,
                scope: scope.value, password: password.value,
            } });
            note.append(message(t('admin.created', { name: username.value }), 'ok'));
            form.reset();
            await refresh();
        } catch (e) {
            note.append(message(e.status === 400 || e.status === 409 ? `${t('error.refused')}: ${e.message}` : errorText(e), 'error'));
            const bad = form.querySelector(`[name="${e.field}"]`);
            if (bad) bad.focus();
        }
    });
    // A user's role and scope changed (the server checks that they fit).
    const who = h('select', { name: 'user', id: 'edit-user' });
    const newRole = select(ROLES.map((r) => [r, t(`role.${r}`)]), 'analyst', { name: 'role', id: 'edit-role' });
    const newScope = h('input', { name: 'scope', id: 'edit-scope', value: 'region' });
    const edit = h('form', { class: 'inline', id: 'edit-user-form' },
        field(t('admin.username'), who), field(t('admin.role'), newRole), field(t('admin.scope'), newScope),
        h('div', { class: 'field' }, h('span', { class: 'label-space' }, '\u00a0'), h('button', { type: 'submit' }, t('admin.save'))));
    edit.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const u = rows.find((x) => x.username === who.value);
        if (u) patch(u, { role: newRole.value, scope: newScope.value }, 'admin.changed');
    });
    box.append(list, h('h3', {}, t('admin.new_user')), form, h('h3', {}, t('admin.edit_user')), edit, note);
    await refresh();
}

async function renderAudit(box, params) {
    const inputs = {
        user: h('input', { name: 'user' }),
        resource_type: h('input', { name: 'resource_type' }),
        resource_id: h('input', { name: 'resource_id' }),
        from: h('input', { name: 'from', type: 'date' }),
        to: h('input', { name: 'to', type: 'date' }),
    };
    for (const [k, el] of Object.entries(inputs)) el.value = params.get(k) || '';
    const form = h('form', { class: 'inline', id: 'audit-search' },
        field(t('admin.user'), inputs.user), field(t('admin.resource_type'), inputs.resource_type),
        field(t('admin.resource_id'), inputs.resource_id), field(t('admin.from'), inputs.from), field(t('admin.to'), inputs.to),
        h('div', { class: 'field' }, h('span', { class: 'label-space' }, '\u00a0'), h('button', { type: 'submit' }, t('common.search'))));
    const out = h('div', { id: 'audit-results' });
    let rows = [];
    let next = '';
    let filter = {};
    async function load(cursor) {
        try {
            const r = await api(`/api/audit${qs({ ...filter, limit: 100, cursor })}`);
            rows = cursor ? rows.concat(r.items) : r.items;
            next = r.next;
            out.replaceChildren(sortableTable([
                { key: 'seq', label: '#', numeric: true },
                { key: 'at', label: t('admin.at'), format: (x) => fmt.dateTime(x.at) },
                { key: 'username', label: t('admin.user') },
                { key: 'role', label: t('admin.role'), format: (x) => (x.role ? t(`role.${x.role}`) : '') },
                { key: 'action', label: t('admin.action') },
                { key: 'resource_type', label: t('admin.resource_type') },
                { key: 'resource_id', label: t('admin.resource_id') },
                { key: 'client', label: t('admin.client') },
                { key: 'outcome', label: t('admin.outcome') },
            ], rows, { rowAttrs: (x) => ({ dataset: { seq: x.seq } }) }),
            next ? h('button', { type: 'button', onclick: () => load(next) }, t('common.more')) : '');
        } catch (e) {
            out.replaceChildren(message(e.status === 400 ? `${t('error.refused')}: ${e.message}` : errorText(e), 'error'));
        }
    }
    form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        filter = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value.trim()]));
        load('');
    });
    box.append(form, out);
    await load('');
}
