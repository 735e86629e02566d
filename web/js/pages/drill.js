// drill.js - any indicator by org unit, one level at a time (county → township → village):
// a sortable table with numerator and denominator, a bar chart, a row opens the level below,
// and the table exports as CSV in the browser. Source: /api/indicators?level=children.

import { api, qs } from '../api.js';
import { homeOu, ancestors, levelOf } from '../region.js';
import { h, message, chart, select, field, errorText, sortableTable, toCsv, download, t, fmt } from '../ui.js';
import { pick } from '../i18n.js';

export async function render(main, { params, go }) {
    const home = await homeOu();
    const thisYear = new Date().getFullYear();
    const year = Number(params.get('year')) || thisYear;
    const ou = params.get('ou') || home;
    const ind = params.get('ind') || 'record_coverage';
    const nav = (p) => go('drill', { ind, year, ou, ...p });

    main.append(h('h1', {}, t('drill.title')));
    const status = h('div', {}, message(t('app.loading')));
    main.append(status);
    let rep;
    try {
        rep = await api(`/api/indicators${qs({ ou, period: year, level: 'children' })}`);
    } catch (e) {
        status.replaceChildren(message(errorText(e), 'error'));
        return;
    }
    status.replaceChildren();
    const def = rep.values.find((v) => v.id === ind) || rep.values[0];

    // Breadcrumb: from the user's home unit down to this one.
    const trail = ancestors(ou, home);
    const names = await Promise.all(trail.map((c) => (c === ou ? Promise.resolve({ name: rep.name })
        : api(`/api/ous/${c}`).catch(() => ({ name: c })))));
    const crumbs = h('ol', { class: 'crumbs' });
    trail.forEach((c, i) => crumbs.append(h('li', {}, c === ou
        ? h('span', { 'aria-current': 'page' }, names[i].name)
        : h('a', { href: `#/drill?ind=${def.id}&year=${year}&ou=${c}` }, names[i].name))));
    main.append(h('nav', { 'aria-label': t('drill.path') }, crumbs));

    const indSel = select(rep.values.map((v) => [v.id, pick(v)]), def.id, { id: 'indicator' });
    indSel.addEventListener('change', () => nav({ ind: indSel.value }));
    const yearSel = select(Array.from({ length: 6 }, (_, i) => [thisYear - i, String(thisYear - i)]), year, { id: 'year' });
    yearSel.addEventListener('change', () => nav({ year: yearSel.value }));
    const exportBtn = h('button', { type: 'button', id: 'export' }, t('drill.export'));
    main.append(h('div', { class: 'controls' }, field(t('drill.indicator'), indSel), field(t('common.year'), yearSel),
        h('div', { class: 'field' }, h('span', { class: 'label-space' }, '\u00a0'), exportBtn)));

    const own = rep.values.find((v) => v.id === def.id);
    main.append(h('p', { class: 'lead', id: 'unit-total' }, `${rep.name}: `,
        h('strong', {}, fmt.indicator(own.value, own.unit)),
        ` (${fmt.int(own.numerator)} / ${fmt.int(own.denominator)})`));

    const children = rep.children || [];
    if (children.length === 0) {
        exportBtn.parentElement.remove();
        main.append(message(t('drill.lowest'), 'info'));
        return;
    }
    const childLevel = children[0].level;
    const canGoDown = childLevel !== 'village';
    const rows = children.map((c) => {
        const v = c.values.find((x) => x.id === def.id) || {};
        return { ou: c.ou, name: c.name, level: c.level, value: v.value ?? null, numerator: v.numerator, denominator: v.denominator, unit: v.unit };
    });
    const table = sortableTable([
        { key: 'name', label: t(`level.${childLevel}`),
          format: (r) => (canGoDown ? h('a', { href: `#/drill?ind=${def.id}&year=${year}&ou=${r.ou}` }, r.name) : r.name) },
        { key: 'ou', label: t('drill.code') },
        { key: 'value', label: pick(def), numeric: true, format: (r) => fmt.indicator(r.value, r.unit) },
        { key: 'numerator', label: t('drill.numerator'), numeric: true, format: (r) => fmt.int(r.numerator) },
        { key: 'denominator', label: t('drill.denominator'), numeric: true, format: (r) => fmt.int(r.denominator) },
    ], rows, {
        sortKey: 'value', sortDir: -1, caption: `${pick(def)} · ${rep.name} · ${year}`,
        rowAttrs: (r) => (canGoDown ? { class: 'clickable', dataset: { ou: r.ou }, onclick: (ev) => { if (ev.target.tagName !== 'A') nav({ ou: r.ou }); } } : { dataset: { ou: r.ou } }),
    });
    main.append(h('section', { class: 'card' }, table));

    exportBtn.addEventListener('click', () => {
        const header = [t('drill.code'), t(`level.${childLevel}`), t('drill.indicator'), t('drill.value'),
            t('drill.numerator'), t('drill.denominator'), t('drill.unit'), t('common.year')];
        const body = rows.map((r) => [r.ou, r.name, pick(def), r.value === null ? '' : r.value, r.numerator, r.denominator, r.unit, year]);
        download(`yilian-${def.id}-${ou}-${year}.csv`, toCsv(header, body));
    });

    const sorted = [...rows].sort((a, b) => (b.value ?? -1) - (a.value ?? -1));
    const box = h('div', { class: 'chart tall', id: 'bars', role: 'img', 'aria-label': `${pick(def)} · ${levelOf(ou)}` });
    main.append(h('section', { class: 'card' }, h('h2', {}, pick(def)), box));
    const c = await chart(box, {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => fmt.indicator(v, def.unit) },
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', inverse: true, data: sorted.map((r) => r.name) },
        series: [{ type: 'bar', data: sorted.map((r) => r.value), itemStyle: { color: '#1f6fb2' } }],
    });
    box.style.height = `${Math.max(240, sorted.length * 26 + 40)}px`;
    c.resize();
    if (canGoDown) c.on('click', (p) => nav({ ou: sorted[p.dataIndex].ou }));
}
