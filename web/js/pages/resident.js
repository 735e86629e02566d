// resident.js - one resident's record and care plan, as the API returns them to this role:
// the ID number and phone are masked unless the caller cares for the resident, and a role
// that may not read persons (an analyst) gets the server's refusal, shown as such.

import { api } from '../api.js';
import { h, message, errorText, sortableTable, t, fmt } from '../ui.js';
import { pick } from '../i18n.js';

export async function render(main, { arg }) {
    const id = Number(arg);
    main.append(h('h1', {}, t('resident.title')));
    if (!Number.isInteger(id) || id <= 0) {
        main.append(message(t('error.notfound'), 'error'));
        return;
    }
    let r, plan;
    try {
        [r, plan] = await Promise.all([api(`/api/residents/${id}`), api(`/api/residents/${id}/care-plan`)]);
    } catch (e) {
        main.append(message(e.status === 403 ? t('resident.forbidden') : errorText(e), 'error'));
        return;
    }
    main.querySelector('h1').textContent = `${t('resident.title')} · ${r.name}`;
    const dl = h('dl', { class: 'facts' });
    const add = (k, v) => dl.append(h('dt', {}, t(k)), h('dd', {}, v === null || v === undefined || v === '' ? '—' : v));
    add('resident.id_number', r.id_number);
    add('resident.sex', t(`sex.${r.sex}`));
    add('resident.birth_date', fmt.date(r.birth_date));
    add('resident.phone', r.phone);
    add('resident.address', r.address);
    add('resident.village', r.ou_code);
    add('resident.status', t(`rstatus.${r.status}`));
    add('resident.record_date', fmt.date(r.record_date));
    add('resident.tags', (r.tags || []).filter((x) => !x.to).map((x) => t(`tag.${x.tag}`)).join('、'));
    add('resident.contract', r.contract ? `${r.contract.team_name} (${fmt.date(r.contract.from)} – ${fmt.date(r.contract.to)})` : '');
    main.append(h('section', { class: 'card' }, r.masked ? message(t('resident.masked'), 'info') : null, dl));

    main.append(h('section', { class: 'card' }, h('h2', {}, t('resident.care_plan')), sortableTable([
        { key: 'item', label: t('worklist.item'), sort: (x) => pick(x), format: (x) => pick(x) },
        { key: 'state', label: t('resident.state'), format: (x) => h('span', { class: `badge state-${x.state}` }, t(`state.${x.state}`)) },
        { key: 'due_by', label: t('worklist.due_by'), format: (x) => fmt.date(x.due_by) },
        { key: 'overdue_since', label: t('worklist.overdue_since'), format: (x) => fmt.date(x.overdue_since) },
        { key: 'last_done', label: t('worklist.last_done'), format: (x) => fmt.date(x.last_done) },
        { key: 'done_this_year', label: t('resident.done_this_year'), numeric: true },
    ], plan.items, { caption: `${t('resident.care_plan')} · ${fmt.date(plan.date)}` })));
}
