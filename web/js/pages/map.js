// map.js - the 15-minute health service circle on a map that works offline: vector layers
// only (facilities by type, villages coloured by the share of their people within 15
// minutes' walk, the underserved villages, the proposed new sites, isochrones on demand, the
// open alerts at their township, county or village) on a plain background. A tile layer is drawn only when config.json in the web root names a
// `tile_url` (with `tile_attribution`). Sources: /api/facilities, /api/ous?level=3..5,
// /api/access/coverage|underserved|proposals|isochrones, /api/alerts?state=open.

import { api, apiAll, qs } from '../api.js';
import { h, message, errorText, field, select, t, fmt } from '../ui.js';

const TYPE_COLOURS = {
    tertiary_hospital: '#4a148c', secondary_hospital: '#6a1b9a', primary_hospital: '#8e24aa', county_hospital: '#7b1fa2', tcm_hospital: '#00838f', mch_hospital: '#ad1457',
    community_center: '#1565c0', township_center: '#0d47a1', community_station: '#4fc3f7', village_clinic: '#8d6e63',
    cdc: '#455a64', emergency_station: '#000000', infant_care: '#f9a825',
};
const colourOf = (type) => TYPE_COLOURS[type] || '#546e7a';
const shareColour = (s) => (s === null || s === undefined ? '#9e9e9e' : s >= 0.999 ? '#2e7d32' : s > 0 ? '#ef8f00' : '#c62828');

let leaflet = null;
async function loadLeaflet() {
    if (!document.querySelector('link[data-leaflet]'))
        document.head.append(h('link', { rel: 'stylesheet', href: 'vendor/leaflet/leaflet.css', dataset: { leaflet: '1' } }));
    if (!leaflet) leaflet = await import('../../vendor/leaflet/leaflet-src.esm.js');
    return leaflet;
}

async function siteConfig() {
    try {
        const r = await fetch('config.json', { cache: 'no-cache' });
        return r.ok ? await r.json() : {};
    } catch {
        return {};
    }
}

const soft = (p) => p.catch((e) => ({ error: e }));
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function render(main) {
    main.append(h('h1', {}, t('map.title')));
    const status = h('div', {}, message(t('app.loading')));
    const mapBox = h('div', { id: 'map', role: 'region', 'aria-label': t('map.title') });
    const side = h('aside', { class: 'side' });
    main.append(status, h('div', { class: 'map-layout' }, mapBox, side));

    const [L, config, facilities, villages, coverage, underserved, proposals, alerts, towns, counties] = await Promise.all([
        loadLeaflet(), siteConfig(),
        soft(apiAll('/api/facilities')), soft(apiAll('/api/ous', { level: 5 })),
        soft(api(`/api/access/coverage${qs({ by: 'village' })}`)),
        soft(api(`/api/access/underserved${qs({ limit: 1000 })}`)),
        soft(api(`/api/access/proposals${qs({ k: 5 })}`)),
        soft(api(`/api/alerts${qs({ state: 'open', limit: 200 })}`)),
        soft(apiAll('/api/ous', { level: 4 })), soft(apiAll('/api/ous', { level: 3 })),
    ]);
    status.replaceChildren();
    if (facilities.error) {
        status.append(message(errorText(facilities.error), 'error'));
        return;
    }
    if (coverage.error) status.append(message(coverage.error.status === 503 ? t('map.no_roads') : errorText(coverage.error), 'error'));

    const map = L.map(mapBox, { preferCanvas: false, zoomSnap: 0.5 });
    if (config.tile_url) L.tileLayer(config.tile_url, { attribution: config.tile_attribution || '', maxZoom: 19 }).addTo(map);
    const points = [];

    // Facilities by type: one group per type inside the facilities layer, so the type filter
    // above the map shows one type or all.
    const facLayer = L.layerGroup();
    const byType = {};
    for (const f of facilities) {
        if (f.lat === null || f.lon === null || f.lat === undefined) continue;
        points.push([f.lat, f.lon]);
        if (!byType[f.type]) byType[f.type] = L.layerGroup().addTo(facLayer);
        L.circleMarker([f.lat, f.lon], {
            radius: f.type === 'village_clinic' || f.type === 'community_station' ? 4 : 7,
            color: '#fff', weight: 1, fillColor: colourOf(f.type), fillOpacity: 0.95, className: 'yl-facility',
        }).bindPopup(`<strong>${esc(f.name)}</strong><br>${esc(t(`ftype.${f.type}`))} · ${esc(f.code)}`).addTo(byType[f.type]);
    }
    const typeSel = select([['', t('ref.all')], ...Object.keys(byType).map((k) => [k, `${t(`ftype.${k}`)} (${facilities.filter((f) => f.type === k).length})`])], '', { id: 'facility-type' });
    typeSel.addEventListener('change', () => {
        for (const [k, g] of Object.entries(byType)) {
            if (!typeSel.value || typeSel.value === k) facLayer.addLayer(g);
            else facLayer.removeLayer(g);
        }
    });
    status.before(h('div', { class: 'controls' }, field(t('map.facility_type'), typeSel)));

    const shareByCode = {};
    if (!coverage.error) for (const u of coverage.units) shareByCode[u.code] = u;
    const covLayer = L.layerGroup();
    if (!villages.error) {
        for (const v of villages) {
            if (v.lat === null || v.lon === null) continue;
            points.push([v.lat, v.lon]);
            const u = shareByCode[v.code];
            L.circleMarker([v.lat, v.lon], {
                radius: 5, color: '#333', weight: 1, fillColor: shareColour(u ? u.share : null), fillOpacity: 0.8, className: 'yl-village',
            }).bindPopup(`<strong>${esc(v.name)}</strong><br>${esc(t('map.share'))}: ${u ? esc(fmt.pct(u.share * 100)) : '—'}`
                + `${u ? `<br>${esc(t('map.people'))}: ${esc(fmt.int(u.people))}` : ''}`).addTo(covLayer);
        }
    }

    const underLayer = L.layerGroup();
    const underMarkers = [];
    if (!underserved.error) {
        for (const v of underserved.villages) {
            const m = L.circleMarker([v.lat, v.lon], {
                radius: 6 + Math.min(10, Math.sqrt(v.people) / 3), color: '#7f0000', weight: 2,
                fillColor: '#c62828', fillOpacity: 0.55, className: 'yl-underserved',
            }).bindPopup(`<strong>${esc(v.name)}</strong><br>${esc(t('map.people'))}: ${esc(fmt.int(v.people))}`
                + `<br>${esc(t('map.minutes'))}: ${v.minutes === null ? esc(t('map.unreached')) : esc(fmt.num(v.minutes, 1))}`
                + `<br>${esc(t('map.nearest'))}: ${esc(v.nearest_facility || '—')}`);
            m.addTo(underLayer);
            underMarkers.push(m);
        }
    }

    const propLayer = L.layerGroup();
    if (!proposals.error) {
        for (const p of proposals.picks) {
            L.marker([p.lat, p.lon], {
                icon: L.divIcon({ className: 'yl-proposal', html: `<span>${p.rank}</span>`, iconSize: [24, 24] }),
                title: `${p.rank}. ${p.name}`, keyboard: true,
            }).bindPopup(`<strong>${p.rank}. ${esc(p.name)}</strong><br>${esc(t('map.gain'))}: ${esc(fmt.int(p.gain))}`).addTo(propLayer);
        }
    }

    // Open alerts at their place: a village (a cluster), a township or the county.
    const alertLayer = L.layerGroup();
    const at = {};
    for (const list of [villages, towns, counties])
        if (!list.error) for (const o of list) if (o.lat !== null && o.lat !== undefined) at[o.code] = [o.lat, o.lon];
    const severity = ['red', 'orange', 'yellow', 'blue'];
    const openAlerts = alerts.error ? [] : [...alerts.items].sort((x, y) => severity.indexOf(x.level) - severity.indexOf(y.level));
    for (const a of openAlerts) {
        const p = at[a.ou];
        if (!p) continue;
        L.marker(p, {
            icon: L.divIcon({ className: `yl-alert level-${a.level}`, html: '<span>!</span>', iconSize: [22, 22] }),
            title: `${a.id} ${a.code || ''} ${a.ou}`, keyboard: true,
        }).bindPopup(`<strong>${esc(t(`alerts.level.${a.level}`))} · ${esc(a.code || t('alerts.multi'))}</strong>`
            + `<br>${esc(a.first_day)} – ${esc(a.last_day)}<br><a href="#/alerts/${a.id}">${esc(t('alerts.alert'))} ${a.id}</a>`)
            .addTo(alertLayer);
    }

    // Isochrones are the heaviest answer: fetched the first time the layer is switched on.
    const isoLayer = L.geoJSON(null, { style: () => ({ color: '#0b5cad', weight: 1, fillOpacity: 0.12, className: 'yl-isochrone' }) });
    let isoLoaded = false;
    map.on('overlayadd', async (ev) => {
        if (ev.layer !== isoLayer || isoLoaded) return;
        isoLoaded = true;
        try { isoLayer.addData(await api(`/api/access/isochrones${qs({ minutes: 15 })}`)); } catch (e) {
            status.replaceChildren(message(errorText(e), 'error'));
        }
    });

    facLayer.addTo(map);
    covLayer.addTo(map);
    underLayer.addTo(map);
    propLayer.addTo(map);
    alertLayer.addTo(map);
    const overlays = { [t('map.facilities')]: facLayer, [t('map.coverage')]: covLayer };
    if (!alerts.error) overlays[t('map.alerts')] = alertLayer;
    if (!coverage.error) {
        overlays[t('map.underserved')] = underLayer;
        overlays[t('map.proposals')] = propLayer;
        overlays[t('map.isochrones')] = isoLayer;
    }
    L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    if (points.length) map.fitBounds(points, { padding: [20, 20] });
    else map.setView([35, 105], 4);

    // The side panel: legend, the underserved villages (a button flies to each), proposals.
    const legend = h('div', { class: 'legend card' }, h('h2', {}, t('map.legend')),
        ...Object.keys(TYPE_COLOURS).filter((k) => facilities.some((f) => f.type === k))
            .map((k) => h('div', {}, h('i', { style: `background:${colourOf(k)}` }), t(`ftype.${k}`))),
        h('div', {}, h('i', { style: `background:${shareColour(1)}` }), t('map.within')),
        h('div', {}, h('i', { style: `background:${shareColour(0.5)}` }), t('map.partly')),
        h('div', {}, h('i', { style: `background:${shareColour(0)}` }), t('map.beyond')));
    side.append(legend);
    if (!underserved.error) {
        const list = h('ol', { id: 'underserved-list' });
        underserved.villages.forEach((v, i) => list.append(h('li', {}, h('button', {
            type: 'button', class: 'link-like',
            onclick: () => { map.setView([v.lat, v.lon], Math.max(map.getZoom(), 13)); underMarkers[i].openPopup(); },
        }, v.name), ` · ${fmt.int(v.people)} ${t('unit.persons')} · ${v.minutes === null ? t('map.unreached') : `${fmt.num(v.minutes, 1)} min`}`)));
        side.append(h('section', { class: 'card' }, h('h2', {}, `${t('map.list_underserved')} (${fmt.int(underserved.villages.length)})`), list));
    }
    if (!alerts.error) {
        side.append(h('section', { class: 'card' }, h('h2', {}, `${t('map.alerts')} (${fmt.int(openAlerts.length)})`),
            h('ol', { id: 'alert-list' }, ...openAlerts.slice(0, 10).map((a) => h('li', {},
                h('a', { href: `#/alerts/${a.id}` }, `${t(`alerts.level.${a.level}`)} · ${a.code || t('alerts.multi')} · ${a.ou}`))))));
    }
    if (!proposals.error) {
        side.append(h('section', { class: 'card' }, h('h2', {}, t('map.list_proposals')),
            h('ol', { id: 'proposal-list' }, ...proposals.picks.map((p) => h('li', {}, `${p.name} · +${fmt.int(p.gain)} ${t('unit.persons')}`)))));
    }
    return () => map.remove();
}
