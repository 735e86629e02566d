// ui.js - the small DOM vocabulary the pages share: h() builds elements, sortableTable()
// renders rows with sortable headers (real buttons, aria-sort), toCsv()/download() export
// what a table shows, message() shows a status or an error, and chart() loads ECharts on
// first use and keeps one chart per container.

import { t, fmt } from './i18n.js';

// h('button', {class: 'x', onclick: f}, 'text', child...): attributes starting with "on"
// become listeners, `dataset` an object of data-*, false/null attributes are left out.
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
        if (v === false || v === null || v === undefined) continue;
        if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
        else if (k === 'dataset') Object.assign(el.dataset, v);
        else if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
        if (c === null || c === undefined || c === false) continue;
        el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
}

export function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
}

// A status line: kind 'info', 'ok' or 'error' (errors are announced to screen readers).
export function message(text, kind = 'info') {
    return h('p', { class: `msg msg-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

// The text for an API error: the refusal the server gave, in words a person reads.
export function errorText(e) {
    if (e.status === 403) return t('error.forbidden');
    if (e.status === 404) return t('error.notfound');
    if (e.status === 503) return t('error.unavailable');
    if (e.status === 0) return t('error.unreachable');
    return `${t('error.refused')}: ${e.message}`;
}

// columns: [{key, label, numeric, format(row) -> text|Node, sort(row) -> value}]
// opts: {rowAttrs(row) -> attrs, sortKey, sortDir, caption}
export function sortableTable(columns, rows, opts = {}) {
    let key = opts.sortKey || null;
    let dir = opts.sortDir || 1;
    const table = h('table', { class: 'data' });
    if (opts.caption) table.append(h('caption', {}, opts.caption));
    const thead = h('thead');
    const tbody = h('tbody');
    table.append(thead, tbody);
    const value = (c, r) => (c.sort ? c.sort(r) : r[c.key]);

    function render() {
        clear(thead);
        clear(tbody);
        const tr = h('tr');
        for (const c of columns) {
            const sorted = key === c.key;
            const th = h('th', {
                scope: 'col',
                class: c.numeric ? 'num' : '',
                'aria-sort': sorted ? (dir > 0 ? 'ascending' : 'descending') : 'none',
            });
            if (c.sortable === false) th.append(c.label);
            else th.append(h('button', {
                type: 'button', class: 'sort', dataset: { key: c.key },
                onclick: () => { dir = key === c.key ? -dir : c.numeric ? -1 : 1; key = c.key; render(); },
            }, c.label, h('span', { 'aria-hidden': 'true' }, sorted ? (dir > 0 ? ' ▲' : ' ▼') : '')));
            tr.append(th);
        }
        thead.append(tr);
        const list = [...rows];
        if (key) {
            const c = columns.find((x) => x.key === key);
            list.sort((a, b) => {
                const va = value(c, a), vb = value(c, b);
                if (va === vb) return 0;
                if (va === null || va === undefined) return 1;
                if (vb === null || vb === undefined) return -1;
                return (typeof va === 'number' ? va - vb : String(va).localeCompare(String(vb))) * dir;
            });
        }
        for (const r of list) {
            const row = h('tr', opts.rowAttrs ? opts.rowAttrs(r) : {});
            for (const c of columns) {
                const v = c.format ? c.format(r) : r[c.key];
                row.append(h('td', { class: c.numeric ? 'num' : '', dataset: { label: typeof c.label === 'string' ? c.label : '' } },
                    v === null || v === undefined || v === '' ? (c.sortable === false ? '' : '—') : v));
            }
            tbody.append(row);
        }
        if (list.length === 0)
            tbody.append(h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, t('table.empty'))));
    }
    render();
    table.visibleRows = () => rows;
    return h('div', { class: 'table-wrap' }, table);
}

// CSV (RFC 4180) of rows under a header; a BOM so spreadsheet programs read the Chinese.
export function toCsv(header, rows) {
    const cell = (v) => {
        const s = v === null || v === undefined ? '' : String(v);
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    return '\ufeff' + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function download(name, text, type = 'text/csv;charset=utf-8') {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = h('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ECharts is about 1 MB: loaded on the first chart, then kept.
let echartsModule = null;
export async function chart(container, option) {
    if (!echartsModule) echartsModule = await import('../vendor/echarts.esm.min.mjs');
    let c = echartsModule.getInstanceByDom(container);
    if (!c) {
        c = echartsModule.init(container, null, { renderer: 'svg' });
        const ro = new ResizeObserver(() => c.resize());
        ro.observe(container);
    }
    // The page's own font, named: ECharts measures legend text with it.
    c.setOption({ textStyle: { fontFamily: getComputedStyle(document.body).fontFamily }, ...option }, true);
    return c;
}

// Arrow keys move between the tabs of a tablist (the ARIA tabs pattern); Enter or Space
// activates the focused one, as any button.
export function arrowKeys(tablist) {
    tablist.addEventListener('keydown', (ev) => {
        if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
        const tabs = [...tablist.querySelectorAll('[role=tab]')];
        const i = tabs.indexOf(document.activeElement);
        if (i < 0) return;
        tabs[(i + (ev.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length].focus();
        ev.preventDefault();
    });
    return tablist;
}

// A labelled form control: label text, then the control.
export function field(label, control, hint) {
    const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
    control.id = id;
    return h('div', { class: 'field' }, h('label', { for: id }, label), control,
        hint ? h('small', {}, hint) : null);
}

export function select(options, value, attrs = {}) {
    const s = h('select', attrs);
    for (const [v, label] of options) s.append(h('option', { value: v, selected: String(v) === String(value) }, label));
    return s;
}

export { t, fmt };
