// alerts.js - the epidemiologist's alert board: alerts by state and level with their place,
// disease or channel and days; one alert with its signals, history and notes, each of its
// series charted with what the detector made of it (count, expected, upper bound, alarms:
// GET /api/surveil/series?detect=1); verify, confirm (responders, actions) and dismiss
// (reason) for those who may act (the server decides, the page shows its refusal). New
// alerts arrive live from /api/alerts/stream, read with fetch because EventSource cannot send
// the bearer token.

import { api, qs, session } from '../api.js';
import { h, message, errorText, sortableTable, field, select, chart, t, fmt } from '../ui.js';

const STATES = ['open', 'verifying', 'confirmed', 'dismissed'];
const LEVELS = ['red', 'orange', 'yellow', 'blue'];

const place = (a) => a.ou;
const what = (a) => a.code || t('alerts.multi');
const days = (a) => (a.first_day === a.last_day ? a.first_day : `${a.first_day} – ${a.last_day}`);
const levelBadge = (l) => h('span', { class: `badge level-${l}` }, t(`alerts.level.${l}`));

// Read the stream of new alerts until `signal` aborts; each event's data is one alert.
async function listen(onAlert, signal) {
    const r = await fetch('/api/alerts/stream', {
        headers: { Authorization: `Bearer ${session.token()}`, Accept: 'text/event-stream' }, signal,
    });
    if (!r.ok || !r.body) return;
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
            if (!data) continue;
            try { onAlert(JSON.parse(data)); } catch { /* a keep-alive or a partial event */ }
        }
    }
}

function addDays(day, n) {
    const d = new Date(`${day}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
}

// One series of the alert: counts as bars, expected and bound as lines, alarms marked.
async function seriesChart(box, kind, code, ou, first, last) {
    const key = kind === 'channel' ? 'channel' : 'disease';
    const s = await api(`/api/surveil/series${qs({ [key]: code, ou, from: addDays(first, -28), to: last, detect: 1 })}`);
    const x = s.points.map((p) => p.t);
    box.dataset.points = String(s.points.length);
    await chart(box, {
        tooltip: { trigger: 'axis' },
        legend: { top: 0, data: [t('alerts.count'), t('alerts.expected'), t('alerts.upper'), t('alerts.alarm')] },
        grid: { left: 48, right: 16, top: 40, bottom: 32 },
        xAxis: { type: 'category', data: x },
        yAxis: { type: 'value' },
        series: [
            { name: t('alerts.count'), type: 'bar', data: s.points.map((p) => p.count) },
            { name: t('alerts.expected'), type: 'line', data: s.points.map((p) => p.expected), symbol: 'none' },
            { name: t('alerts.upper'), type: 'line', data: s.points.map((p) => p.upper), symbol: 'none', lineStyle: { type: 'dashed' } },
            { name: t('alerts.alarm'), type: 'scatter', symbolSize: 10, itemStyle: { color: '#b00020' },
                data: s.points.map((p) => (p.alarm ? p.count : null)) },
        ],
    });
}

async function detail(main, id, go) {
    let a;
    try {
        a = await api(`/api/alerts/${id}`);
    } catch (e) {
        main.append(message(errorText(e), 'error'));
        return;
    }
    main.append(h('p', {}, h('a', { href: '#/alerts' }, t('alerts.back'))));
    const head = h('section', { class: 'card', id: 'alert-detail', dataset: { alert: String(a.id), state: a.state } },
        h('h2', {}, levelBadge(a.level), ' ', `${t('alerts.alert')} ${a.id} · ${what(a)} · ${place(a)}`),
        h('dl', { class: 'facts' },
            h('dt', {}, t('alerts.rule')), h('dd', {}, a.rule),
            h('dt', {}, t('alerts.days')), h('dd', {}, days(a)),
            h('dt', {}, t('alerts.state')), h('dd', { id: 'alert-state' }, t(`alerts.state.${a.state}`)),
            h('dt', {}, t('alerts.raised')), h('dd', {}, fmt.dateTime(a.raised_at)),
            a.dismiss_reason ? [h('dt', {}, t('alerts.reason')), h('dd', {}, a.dismiss_reason)] : null,
            a.responders ? [h('dt', {}, t('alerts.responders')), h('dd', {}, a.responders)] : null,
            a.actions ? [h('dt', {}, t('alerts.actions')), h('dd', {}, a.actions)] : null));
    main.append(head);

    const note = h('div', { class: 'status', 'aria-live': 'polite' });
    async function act(action, body) {
        note.replaceChildren();
        try {
            await api(`/api/alerts/${a.id}/${action}`, { method: 'POST', body });
            go('alerts', {}, String(a.id));
            // The same route again: render afresh.
            window.dispatchEvent(new HashChangeEvent('hashchange'));
        } catch (e) {
            note.append(message(errorText(e), 'error'));
        }
    }
    if (session.can('surveil_write') && (a.state === 'open' || a.state === 'verifying')) {
        const actions = h('section', { class: 'card', id: 'alert-actions' }, h('h2', {}, t('alerts.act')));
        if (a.state === 'open')
            actions.append(h('button', { type: 'button', id: 'alert-verify', onclick: () => act('verify') }, t('alerts.verify')));
        if (a.state === 'verifying') {
            const responders = h('input', { id: 'alert-responders', name: 'responders' });
            const done = h('input', { id: 'alert-done', name: 'actions' });
            const form = h('form', { class: 'inline', id: 'alert-confirm' },
                field(t('alerts.responders'), responders), field(t('alerts.actions'), done),
                h('button', { type: 'submit' }, t('alerts.confirm')));
            form.addEventListener('submit', (ev) => {
                ev.preventDefault();
                act('confirm', { responders: responders.value, actions: done.value });
            });
            actions.append(form);
        }
        const reason = h('input', { id: 'alert-reason', name: 'reason' });
        const dismiss = h('form', { class: 'inline', id: 'alert-dismiss' },
            field(t('alerts.reason'), reason), h('button', { type: 'submit' }, t('alerts.dismiss')));
        dismiss.addEventListener('submit', (ev) => {
            ev.preventDefault();
            act('dismiss', { reason: reason.value });
        });
        actions.append(dismiss, note);
        main.append(actions);
    }

    // The series behind it: each disease or channel of its signals, in its township.
    const seen = new Set();
    const charts = h('section', { class: 'card', id: 'alert-series' }, h('h2', {}, t('alerts.series')));
    main.append(charts);
    for (const s of a.signals || []) {
        // A cluster (a school's or villages' cases) is charted as its disease in the township.
        const kind = s.kind === 'channel' ? 'channel' : 'disease';
        const ou = s.ou.slice(0, 9);
        if (seen.has(`${kind}:${s.code}:${ou}`) || seen.size >= 4) continue;
        seen.add(`${kind}:${s.code}:${ou}`);
        const box = h('div', { class: 'chart', role: 'img', 'aria-label': `${s.code} ${ou}`, dataset: { code: s.code } });
        charts.append(h('h3', {}, `${s.code} · ${ou}`), box);
        const today = new Date().toISOString().slice(0, 10);
        const last = addDays(a.last_day, 7) < today ? addDays(a.last_day, 7) : today;
        seriesChart(box, kind, s.code, ou, a.first_day, last)
            .catch((e) => box.replaceWith(message(errorText(e), 'error')));
    }
    main.append(h('section', { class: 'card' }, h('h2', {}, t('alerts.signals')),
        sortableTable([
            { key: 'day', label: t('alerts.day') },
            { key: 'kind', label: t('alerts.kind') },
            { key: 'code', label: t('alerts.code') },
            { key: 'ou', label: t('alerts.place') },
            { key: 'method', label: t('alerts.method') },
            { key: 'count', label: t('alerts.count'), numeric: true, format: (r) => fmt.num(r.count) },
            { key: 'upper', label: t('alerts.upper'), numeric: true, format: (r) => (r.upper == null ? '' : fmt.num(r.upper)) },
        ], a.signals || [])));
    main.append(h('section', { class: 'card' }, h('h2', {}, t('alerts.history')),
        sortableTable([
            { key: 'at', label: t('alerts.at'), format: (r) => fmt.dateTime(r.at) },
            { key: 'action', label: t('alerts.action') },
            { key: 'to_state', label: t('alerts.state') },
            { key: 'username', label: t('alerts.by') },
        ], a.history || [])));
}

export async function render(main, { arg, params, go }) {
    main.append(h('h1', {}, t('alerts.title')));
    if (arg) {
        await detail(main, arg, go);
        return undefined;
    }
    const state = params.has('state') ? params.get('state') : 'open';
    const level = params.get('level') || '';
    const stateSel = select([['', t('alerts.all')], ...STATES.map((x) => [x, t(`alerts.state.${x}`)])], state, { id: 'alert-state-filter' });
    const levelSel = select([['', t('alerts.all')], ...LEVELS.map((x) => [x, t(`alerts.level.${x}`)])], level, { id: 'alert-level-filter' });
    const controls = h('form', { class: 'inline controls' }, field(t('alerts.state'), stateSel), field(t('alerts.level'), levelSel),
        h('div', { class: 'field' }, h('span', { class: 'label-space' }, '\u00a0'), h('button', { type: 'submit' }, t('common.search'))));
    controls.addEventListener('submit', (ev) => {
        ev.preventDefault();
        go('alerts', { state: stateSel.value, level: levelSel.value });
    });
    const live = h('p', { class: 'status', id: 'alert-live', 'aria-live': 'polite' });
    const board = h('section', { class: 'card', id: 'alert-board' });
    main.append(controls, live, board);

    let rows = [];
    function draw() {
        board.replaceChildren(sortableTable([
            { key: 'level', label: t('alerts.level'), format: (r) => levelBadge(r.level), sort: (r) => LEVELS.indexOf(r.level) },
            { key: 'id', label: t('alerts.alert'), numeric: true, format: (r) => h('a', { href: `#/alerts/${r.id}` }, String(r.id)) },
            { key: 'code', label: t('alerts.code'), format: what },
            { key: 'ou', label: t('alerts.place') },
            { key: 'rule', label: t('alerts.rule') },
            { key: 'first_day', label: t('alerts.days'), format: days },
            { key: 'state', label: t('alerts.state'), format: (r) => t(`alerts.state.${r.state}`) },
            { key: 'n_signals', label: t('alerts.n_signals'), numeric: true },
        ], rows, { rowAttrs: (r) => ({ dataset: { alert: String(r.id), level: r.level, state: r.state } }) }));
    }
    try {
        rows = (await api(`/api/alerts${qs({ state, level, limit: 200 })}`)).items;
    } catch (e) {
        board.append(message(errorText(e), 'error'));
        return undefined;
    }
    draw();
    const stop = new AbortController();
    listen((a) => {
        if ((state && a.state !== state) || (level && a.level !== level) || rows.some((r) => r.id === a.id)) return;
        rows = [a, ...rows];
        live.textContent = t('alerts.new', { id: a.id, level: t(`alerts.level.${a.level}`) });
        draw();
    }, stop.signal).catch(() => {});
    return () => stop.abort();
}
