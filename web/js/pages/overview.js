// overview.js - the region's headline figures for a chosen year as a commission presents
// them: each with its numerator and denominator, the change from the previous year, and the
// trend over the last five years. Sources: /api/indicators (one call a year),
// /api/consortium/indicators (grassroots visit share), /api/access/indicators (15-minute
// circle; "not available" without a road graph), /api/surveil/indicators (incidence).

import { api, qs } from '../api.js';
import { homeOu } from '../region.js';
import { h, message, chart, select, field, errorText, t, fmt } from '../ui.js';
import { pick } from '../i18n.js';

// The indicators shown, in order, from /api/indicators.
const HEADLINE = [
    'record_coverage', 'signing_rate', 'signing_rate_key', 'elderly_health_management',
    'hypertension_standardized_management', 'diabetes_standardized_management',
    'beds_per_1000', 'physicians_per_1000', 'gps_per_10000',
];
// Those drawn in the trend chart (all percentages, one axis).
const TREND = ['record_coverage', 'signing_rate', 'signing_rate_key', 'elderly_health_management',
    'hypertension_standardized_management', 'diabetes_standardized_management'];
const YEARS = 5;

const soft = (p) => p.catch((e) => ({ error: e }));

export async function render(main, { params, go }) {
    const thisYear = new Date().getFullYear();
    const year = Number(params.get('year')) || thisYear;
    const ou = params.get('ou') || await homeOu();
    const years = Array.from({ length: YEARS }, (_, i) => year - YEARS + 1 + i);

    const yearSel = select(Array.from({ length: 6 }, (_, i) => [thisYear - i, String(thisYear - i)]), year, { id: 'year' });
    yearSel.addEventListener('change', () => go('overview', { year: yearSel.value, ou: params.get('ou') }));
    const head = h('div', { class: 'page-head' }, h('h1', {}, t('overview.title')),
        h('div', { class: 'controls' }, field(t('common.year'), yearSel)));
    main.append(head);
    const status = h('div', {}, message(t('app.loading')));
    main.append(status);

    const [reports, groups, access, surveil] = await Promise.all([
        Promise.all(years.map((y) => soft(api(`/api/indicators${qs({ ou, period: y })}`)))),
        Promise.all(years.map((y) => soft(api(`/api/consortium/indicators${qs({ ou, period: y })}`)))),
        soft(api(`/api/access/indicators${qs({ ou })}`)),
        Promise.all([year - 1, year].map((y) => soft(api(`/api/surveil/indicators${qs({ ou, period: y })}`)))),
    ]);
    const cur = reports[YEARS - 1];
    const prev = reports[YEARS - 2];
    status.replaceChildren();
    if (cur.error) {
        status.append(message(errorText(cur.error), 'error'));
        return;
    }
    head.querySelector('h1').textContent = `${t('overview.title')} · ${cur.name} · ${year}`;
    const byId = (r) => Object.fromEntries((r && !r.error ? r.values : []).map((v) => [v.id, v]));
    const now = byId(cur), before = byId(prev);

    const cards = h('div', { class: 'cards', id: 'headline' });
    for (const id of HEADLINE) {
        const v = now[id];
        if (!v) continue;
        const p = before[id];
        cards.append(card({
            id, label: pick(v), value: v.value, unit: v.unit,
            text: fmt.indicator(v.value, v.unit),
            detail: v.denominator > 1 || v.unit === '%' ? `${fmt.int(v.numerator)} / ${fmt.int(v.denominator)}` : '',
            change: change(v, p),
            target: v.target, behind: v.behind,
            href: `#/drill?ind=${id}&year=${year}&ou=${ou}`,
        }));
    }
    // Grassroots visit share and the 15-minute circle come as ratios 0..1.
    const g = groups[YEARS - 1], gp = groups[YEARS - 2];
    const share = (x) => (x && !x.error && x.grassroots_visit_share ? x.grassroots_visit_share : null);
    const gs = share(g);
    cards.append(card({
        id: 'grassroots_visit_share', label: t('overview.grassroots_share'),
        value: gs && gs.value !== null ? gs.value * 100 : null, unit: '%',
        text: gs && gs.value !== null ? fmt.pct(gs.value * 100) : t('common.not_available'),
        detail: gs ? `${fmt.int(gs.numerator)} / ${fmt.int(gs.denominator)}` : '',
        change: gs && share(gp) && share(gp).value !== null && gs.value !== null
            ? ppText((gs.value - share(gp).value) * 100) : t('overview.no_previous'),
    }));
    const circle = access && !access.error ? access.indicators.find((x) => x.code === 'primary_care_15min') : null;
    cards.append(card({
        id: 'primary_care_15min', label: t('overview.circle15'),
        value: circle && circle.value !== null ? circle.value * 100 : null, unit: '%',
        text: circle && circle.value !== null ? fmt.pct(circle.value * 100) : t('common.not_available'),
        detail: circle ? `${fmt.int(circle.numerator)} / ${fmt.int(circle.denominator)}` : t('overview.circle_missing'),
        change: circle ? t('overview.current_roads') : '',
    }));
    const inc = (x) => (x && !x.error ? (x.rows || []).find((r) => r.class === 'all') : null);
    const ic = inc(surveil[1]), ip = inc(surveil[0]);
    cards.append(card({
        id: 'notifiable_incidence', label: t('overview.incidence'),
        value: ic ? ic.rate_per_100k : null, unit: 'per 100,000',
        text: ic ? `${fmt.num(ic.rate_per_100k, 1)} ${t('unit.per100k')}` : t('common.not_available'),
        detail: ic ? `${t('overview.cases')} ${fmt.int(ic.cases)}` : '',
        change: ic && ip ? `${t('overview.vs_previous')} ${fmt.signed(ic.rate_per_100k - ip.rate_per_100k, 1)}` : t('overview.no_previous'),
    }));
    main.append(cards);

    // The trend: one line per indicator over the years; a year without a figure is a gap.
    const chartBox = h('div', { class: 'chart', id: 'trend', role: 'img', 'aria-label': t('overview.trend') });
    main.append(h('section', { class: 'card' }, h('h2', {}, t('overview.trend')), chartBox));
    const series = TREND.filter((id) => now[id]).map((id) => ({
        name: pick(now[id]), type: 'line', connectNulls: false, symbolSize: 7,
        data: reports.map((r) => { const v = byId(r)[id]; return v && v.value !== null ? Number(v.value.toFixed(2)) : null; }),
    }));
    series.push({
        name: t('overview.grassroots_share'), type: 'line', symbolSize: 7,
        data: groups.map((x) => (share(x) && share(x).value !== null ? Number((share(x).value * 100).toFixed(2)) : null)),
    });
    await chart(chartBox, {
        tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : fmt.pct(v)) },
        legend: { type: 'scroll', bottom: 0 },
        grid: { left: 48, right: 16, top: 16, bottom: 64 },
        xAxis: { type: 'category', data: years.map(String) },
        yAxis: { type: 'value', max: 100, axisLabel: { formatter: (v) => `${v}%` } },
        series,
    });
}

function ppText(d) {
    return `${t('overview.vs_previous')} ${fmt.signed(d, 1)} ${t('unit.pp')}`;
}

// The change from the previous year: percentage points for rates, plain for the rest.
function change(v, p) {
    if (!p || p.value === null || v.value === null) return t('overview.no_previous');
    const d = v.value - p.value;
    return v.unit === '%' ? ppText(d) : `${t('overview.vs_previous')} ${fmt.signed(d, 2)}`;
}

// "50.08 每千人口": the number large, its unit small.
function figureParts(text) {
    const i = text.indexOf(' ');
    return i < 0 ? [text] : [text.slice(0, i), h('small', {}, text.slice(i))];
}

function card({ id, label, value, text, detail, change: delta, target, behind, href }) {
    const body = [
        h('h2', {}, label),
        h('p', { class: 'figure', dataset: { role: 'value' } }, ...figureParts(text)),
        detail ? h('p', { class: 'detail' }, detail) : null,
        delta ? h('p', { class: 'change' }, delta) : null,
        target !== null && target !== undefined
            ? h('p', { class: behind ? 'target behind' : 'target' },
                `${t('overview.target')} ${fmt.num(target, 0)}${behind ? ` · ${t('overview.behind')}` : ''}`)
            : null,
    ];
    const el = h('article', {
        class: 'card figure-card',
        dataset: { indicator: id, value: value === null || value === undefined ? '' : String(value) },
    }, ...body);
    if (href) el.append(h('a', { href, class: 'more' }, t('overview.drill')));
    return el;
}
