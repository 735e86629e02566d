// worklist.js - the family doctor's (or village doctor's, or facility's) list of who is due,
// overdue or coming up for which service (/api/worklists), with a tab per state. "Record"
// opens a form with the item's measurements (from /api/protocol/items) and posts the
// service (POST /api/residents/{id}/services); the row then leaves the list. Each post
// carries a fresh external_id, so a retried click records the service once.

import { api, qs } from '../api.js';
import { h, message, errorText, sortableTable, field, select, arrowKeys, t, fmt } from '../ui.js';
import { pick } from '../i18n.js';

const STATES = ['due', 'overdue', 'upcoming'];
const PAGE = 100;

// The facility a service is recorded at: the team's, the clinic of the village, or the
// facility of a facility scope.
async function facilityOf(scope) {
    if (!scope) return '';
    if (scope.kind === 'team') return (await api(`/api/teams/${encodeURIComponent(scope.code)}`)).facility_code;
    if (scope.kind === 'facility') return scope.code;
    if (scope.kind === 'ou' || scope.kind === 'village') {
        const code = scope.code || scope.ou;
        const list = (await api(`/api/facilities${qs({ ou: code, limit: 50 })}`)).items;
        const clinic = list.find((f) => f.type === 'village_clinic') || list[0];
        return clinic ? clinic.code : '';
    }
    return '';
}

export async function render(main, { params, go }) {
    const state = STATES.includes(params.get('state')) ? params.get('state') : 'due';
    main.append(h('h1', {}, t('worklist.title')));
    const status = h('div', { class: 'status', 'aria-live': 'polite' });
    main.append(status);

    let first;
    let items;
    try {
        [first, items] = await Promise.all([
            api(`/api/worklists${qs({ state, limit: PAGE })}`),
            api('/api/protocol/items'),
        ]);
    } catch (e) {
        status.append(message(errorText(e), 'error'));
        return;
    }
    const protocol = Object.fromEntries(items.items.map((i) => [i.item || i.code, i]));
    const facility = await facilityOf(first.scope).catch(() => '');
    const counts = { ...first.counts };

    const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('worklist.states') });
    const tabButtons = {};
    for (const s of STATES) {
        tabButtons[s] = h('button', {
            type: 'button', role: 'tab', id: `tab-${s}`, 'aria-selected': s === state ? 'true' : 'false',
            'aria-controls': 'worklist-panel', dataset: { state: s },
            onclick: () => go('worklist', { state: s }),
        });
        tabs.append(tabButtons[s]);
    }
    const labelTabs = () => {
        for (const s of STATES) tabButtons[s].textContent = `${t(`state.${s}`)} (${fmt.int(counts[s] ?? 0)})`;
    };
    labelTabs();
    main.append(h('p', { class: 'lead' }, t('worklist.lead', {
        date: fmt.date(first.date), residents: fmt.int(first.residents), facility: facility || '—',
    })), arrowKeys(tabs));

    const panel = h('section', { id: 'worklist-panel', role: 'tabpanel', 'aria-labelledby': `tab-${state}`, class: 'card' });
    main.append(panel);
    let rows = first.items;
    let next = first.next;

    const dateCol = state === 'overdue' ? 'overdue_since' : state === 'upcoming' ? 'open' : 'due_by';
    function draw() {
        const table = sortableTable([
            { key: 'name', label: t('worklist.resident'),
              format: (r) => h('a', { href: `#/resident/${r.resident_id}` }, r.name) },
            { key: 'village', label: t('worklist.village') },
            { key: 'item', label: t('worklist.item'), sort: (r) => pick(r), format: (r) => pick(r) },
            { key: dateCol, label: t(`worklist.${dateCol}`), format: (r) => fmt.date(r[dateCol]) },
            { key: 'last_done', label: t('worklist.last_done'), format: (r) => fmt.date(r.last_done) },
            { key: 'phone', label: t('worklist.phone') },
            { key: 'action', label: t('worklist.action'), sortable: false,
              format: (r) => h('button', { type: 'button', class: 'small', dataset: { record: `${r.resident_id}:${r.item}` },
                  onclick: () => openForm(r) }, t('worklist.record')) },
        ], rows, { rowAttrs: (r) => ({ dataset: { resident: r.resident_id, item: r.item } }) });
        const more = next ? h('button', { type: 'button', id: 'more', onclick: loadMore }, t('common.more')) : null;
        panel.replaceChildren(table, more || '');
    }
    async function loadMore() {
        try {
            const r = await api(`/api/worklists${qs({ state, limit: PAGE, cursor: next })}`);
            rows = rows.concat(r.items);
            next = r.next;
            draw();
        } catch (e) {
            status.replaceChildren(message(errorText(e), 'error'));
        }
    }
    draw();

    // The form of one service: the item's measurements, required first.
    const dialog = h('dialog', { class: 'form-dialog', 'aria-labelledby': 'record-title' });
    main.append(dialog);
    function openForm(row) {
        const item = protocol[row.item] || { measurements: [] };
        const ms = item.measurements || [];
        const inputs = [];
        const control = (m) => {
            let el;
            if (m.kind === 'yesno') el = select([['false', t('common.no')], ['true', t('common.yes')]], 'false');
            else if (m.kind === 'integer' || m.kind === 'number')
                el = h('input', { type: 'number', inputmode: 'decimal', step: m.kind === 'integer' ? '1' : 'any',
                    min: m.min ?? false, max: m.max ?? false, required: m.required });
            else el = h('input', { type: 'text', maxlength: m.max ?? false, required: m.required });
            el.name = m.code;
            inputs.push({ m, el });
            return field(`${pick(m)}${m.unit ? ` (${m.unit})` : ''}${m.required ? ' *' : ''}`, el);
        };
        const required = ms.filter((m) => m.required).map(control);
        const optional = ms.filter((m) => !m.required).map(control);
        const date = h('input', { type: 'date', name: 'date', value: first.date, max: first.date, required: true });
        const err = h('div', { class: 'status' });
        const save = h('button', { type: 'submit', class: 'primary' }, t('worklist.save'));
        const form = h('form', { method: 'dialog' },
            h('h2', { id: 'record-title' }, `${pick(row)} · ${row.name}`),
            h('p', { class: 'detail' }, `${t('worklist.facility')}: ${facility || '—'}`),
            field(t('worklist.date'), date),
            ...required,
            optional.length ? h('details', {}, h('summary', {}, t('worklist.optional')), ...optional) : null,
            err,
            h('div', { class: 'buttons' }, save,
                h('button', { type: 'button', onclick: () => dialog.close() }, t('common.cancel'))));
        const externalId = `web-${crypto.randomUUID()}`;
        form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            err.replaceChildren();
            const measurements = {};
            for (const { m, el } of inputs) {
                if (el.value === '') continue;
                measurements[m.code] = m.kind === 'yesno' ? el.value === 'true'
                    : m.kind === 'integer' || m.kind === 'number' ? Number(el.value) : el.value;
            }
            save.disabled = true;
            try {
                await api(`/api/residents/${row.resident_id}/services`, { method: 'POST', body: {
                    external_id: externalId, item: row.item, date: date.value, facility, measurements,
                } });
                dialog.close();
                rows = rows.filter((r) => !(r.resident_id === row.resident_id && r.item === row.item));
                counts[state] = Math.max(0, (counts[state] ?? 1) - 1);
                labelTabs();
                draw();
                status.replaceChildren(message(t('worklist.recorded', { item: pick(row), name: row.name }), 'ok'));
            } catch (e) {
                const bad = inputs.find((x) => x.m.code === e.field);
                err.append(message(e.status === 400 ? `${t('error.refused')}: ${e.message}` : errorText(e), 'error'));
                if (bad) bad.el.focus();
            } finally {
                save.disabled = false;
            }
        });
        dialog.replaceChildren(form);
        dialog.showModal();
        (inputs[0] ? inputs[0].el : date).focus();
    }
    return () => { if (dialog.open) dialog.close(); };
}
