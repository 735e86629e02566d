// referrals.js - a facility's (or a family-doctor team's) referral inbox and outbox with
// states, kinds, urgency and the overdue flag (not accepted in time), and accept/reject on
// requests waiting in the inbox; the server decides who may (referral/), the page shows its
// refusal. Boxes: a facility scope its facility; a team its own inbox and its facility's
// outbox (its own requests); a village doctor the village clinic; the commission picks one.

import { api, apiAll, qs, session } from '../api.js';
import { scopeTeam } from '../region.js';
import { h, message, errorText, sortableTable, field, select, arrowKeys, t, fmt } from '../ui.js';

const STATUSES = ['requested', 'accepted', 'rejected', 'arrived', 'completed', 'cancelled'];
const KINDS = ['referral', 'consultation', 'imaging'];

async function boxOwner(params) {
    const s = session.scope();
    if (s.kind === 'facility') return { facility: s.code };
    if (s.kind === 'team') {
        const team = await scopeTeam();
        return { team: team ? team.code : '', facility: team ? team.facility_code : '' };
    }
    if (s.kind === 'ou') {
        const list = (await api(`/api/facilities${qs({ ou: s.code, limit: 50 })}`)).items;
        const clinic = list.find((f) => f.type === 'village_clinic') || list[0];
        return { facility: clinic ? clinic.code : '' };
    }
    return { facility: params.get('facility') || '', choose: true };
}

export async function render(main, { params, go }) {
    const box = params.get('box') === 'outbox' ? 'outbox' : 'inbox';
    const status = params.get('status') || '';
    const kind = params.get('kind') || '';
    main.append(h('h1', {}, t('ref.title')));
    const note = h('div', { class: 'status', 'aria-live': 'polite' });
    let owner;
    try {
        owner = await boxOwner(params);
    } catch (e) {
        main.append(message(errorText(e), 'error'));
        return;
    }
    const nav = (p) => go('referrals', { box, status, kind, facility: owner.choose ? owner.facility : '', ...p });

    const tabs = h('div', { class: 'tabs', role: 'tablist' });
    for (const b of ['inbox', 'outbox'])
        tabs.append(h('button', { type: 'button', role: 'tab', id: `tab-${b}`, 'aria-selected': b === box ? 'true' : 'false',
            'aria-controls': 'ref-panel', onclick: () => nav({ box: b }) }, t(`ref.${b}`)));

    const statusSel = select([['', t('ref.all')], ...STATUSES.map((x) => [x, t(`rstate.${x}`)])], status, { id: 'ref-status' });
    const kindSel = select([['', t('ref.all')], ...KINDS.map((x) => [x, t(`rkind.${x}`)])], kind, { id: 'ref-kind' });
    const controls = h('form', { class: 'inline controls' });
    let facSel = null;
    if (owner.choose) {
        const all = await apiAll('/api/facilities').catch(() => []);
        const hosts = all.filter((f) => !['village_clinic', 'community_station', 'infant_care'].includes(f.type));
        if (!owner.facility && hosts.length) owner.facility = hosts[0].code;
        facSel = select(hosts.map((f) => [f.code, `${f.name} (${f.code})`]), owner.facility, { id: 'ref-facility' });
        controls.append(field(t('ref.facility'), facSel));
    }
    controls.append(field(t('ref.status'), statusSel), field(t('ref.kind'), kindSel),
        h('div', { class: 'field' }, h('span', { class: 'label-space' }, '\u00a0'),
            h('button', { type: 'submit' }, t('ref.show'))));
    controls.addEventListener('submit', (ev) => {
        ev.preventDefault();
        nav({ status: statusSel.value, kind: kindSel.value, facility: facSel ? facSel.value : '' });
    });
    main.append(controls, note, arrowKeys(tabs));
    const panel = h('section', { id: 'ref-panel', role: 'tabpanel', class: 'card', 'aria-labelledby': `tab-${box}` });
    main.append(panel);

    const query = box === 'inbox' && owner.team ? { team: owner.team } : { facility: owner.facility };
    let rows = [];
    let next = '';
    async function load(cursor) {
        const r = await api(`/api/referrals/${box}${qs({ ...query, status, kind, limit: 100, cursor })}`);
        rows = cursor ? rows.concat(r.items) : r.items;
        next = r.next;
        draw();
    }
    async function act(row, action, body) {
        note.replaceChildren();
        try {
            const updated = await api(`/api/referrals/${row.id}/${action}`, { method: 'POST', body });
            rows = rows.map((r) => (r.id === row.id ? { ...r, ...updated } : r));
            draw();
            note.append(message(t('ref.done', { id: row.id }), 'ok'));
        } catch (e) {
            note.append(message(e.status === 409 || e.status === 400 ? `${t('error.refused')}: ${e.message}` : errorText(e), 'error'));
        }
    }
    function rejectForm(row, cell) {
        const reason = h('input', { type: 'text', required: true, maxlength: 500 });
        const form = h('form', { class: 'inline' }, field(t('ref.reason'), reason),
            h('button', { type: 'submit', class: 'small' }, t('ref.reject')));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            if (reason.value.trim()) act(row, 'reject', { reason: reason.value.trim() });
        });
        cell.replaceChildren(form);
        reason.focus();
    }
    // A consultation or a reading is completed with its report.
    function reportForm(row, cell) {
        const report = h('input', { type: 'text', required: true, maxlength: 2000 });
        const form = h('form', { class: 'inline' }, field(t('ref.report'), report),
            h('button', { type: 'submit', class: 'small' }, t('ref.complete')));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            if (report.value.trim()) act(row, 'complete', { report: report.value.trim() });
        });
        cell.replaceChildren(form);
        report.focus();
    }
    // The receiving side walks a request on: accept or reject it; a patient referred arrives
    // and is completed; a consultation or reading is completed by its report.
    function actions(row) {
        if (box !== 'inbox') return '';
        const cell = h('div', { class: 'buttons' });
        const button = (action, label, onclick) => h('button', { type: 'button', class: 'small',
            dataset: { [action]: row.id }, onclick }, label);
        if (row.status === 'requested')
            cell.append(button('accept', t('ref.accept'), () => act(row, 'accept')),
                button('reject', t('ref.reject'), () => rejectForm(row, cell)));
        else if (row.status === 'accepted' && row.kind === 'referral')
            cell.append(button('arrive', t('ref.arrive'), () => act(row, 'arrive')));
        else if (row.status === 'accepted')
            cell.append(button('complete', t('ref.complete'), () => reportForm(row, cell)));
        else if (row.status === 'arrived')
            cell.append(button('complete', t('ref.complete'), () => act(row, 'complete')));
        return cell.childNodes.length ? cell : '';
    }
    function draw() {
        const table = sortableTable([
            { key: 'id', label: '#', numeric: true },
            { key: 'kind', label: t('ref.kind'), format: (r) => `${t(`rkind.${r.kind}`)} · ${t(`rdir.${r.direction}`)}` },
            { key: 'resident_name', label: t('ref.resident'), format: (r) => `${r.resident_name} ${r.id_number || ''}`.trim() },
            { key: 'from_facility', label: t('ref.from') },
            { key: 'to_facility', label: t('ref.to'), format: (r) => (r.to_team ? `${r.to_facility} / ${r.to_team}` : r.to_facility) },
            { key: 'urgency', label: t('ref.urgency'), format: (r) => h('span', { class: r.urgency === 'critical' ? 'badge bad' : 'badge' }, t(`urgency.${r.urgency}`)) },
            { key: 'status', label: t('ref.status'), format: (r) => h('span', { class: `badge rs-${r.status}` }, t(`rstate.${r.status}`)) },
            { key: 'requested_at', label: t('ref.requested_at'), format: (r) => fmt.dateTime(r.requested_at) },
            { key: 'overdue', label: t('ref.overdue'), sort: (r) => (r.overdue ? 1 : 0),
              format: (r) => (r.overdue ? h('span', { class: 'badge bad', title: t('ref.overdue_flag') }, t('ref.overdue_flag')) : '') },
            { key: 'actions', label: t('ref.actions'), sortable: false, format: actions },
        ], rows, { rowAttrs: (r) => ({ dataset: { referral: r.id, status: r.status, overdue: r.overdue ? '1' : '0' } }) });
        panel.replaceChildren(table, next ? h('button', { type: 'button', onclick: () => load(next).catch(fail) }, t('common.more')) : '');
    }
    const fail = (e) => panel.replaceChildren(message(errorText(e), 'error'));
    if (!owner.facility && !owner.team) {
        panel.append(message(t('ref.need_facility'), 'info'));
        return;
    }
    await load('').catch(fail);
}
