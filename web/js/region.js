// region.js - where the figures start: the org unit a user looks at first, the root of
// what the indicators API lets the scope see. An "ou:" scope is that unit; a team or a
// facility scope the unit of the (team's) facility; the region its seat: going down from
// the province while a level has a single unit (the demo: 吉林省 → 延边州 → 珲春市), at
// most to the county. Kept for the tab.

import { api, apiAll, qs, session } from './api.js';

// The team of a "team:ID" scope ({id, code, facility_code, …}), or null.
export async function scopeTeam() {
    const s = session.scope();
    if (s.kind !== 'team') return null;
    return (await apiAll('/api/teams')).find((x) => String(x.id) === s.code) || null;
}

async function facilityOu(code) {
    return (await api(`/api/facilities/${encodeURIComponent(code)}`)).ou_code;
}

const KEY = 'yilian.home_ou';

export async function homeOu() {
    const s = session.scope();
    if (s.kind === 'ou' && s.code) return s.code;
    const cached = sessionStorage.getItem(KEY);
    if (cached) return cached;
    let home = '';
    if (s.kind === 'facility') home = await facilityOu(s.code);
    if (s.kind === 'team') {
        const team = await scopeTeam();
        if (team) home = await facilityOu(team.facility_code);
    }
    if (home) {
        sessionStorage.setItem(KEY, home);
        return home;
    }
    for (const level of [1, 2, 3]) {
        const r = await api(`/api/ous${qs({ level, limit: 2 })}`);
        if (r.items.length === 0) continue;
        if (r.items.length > 1 && home) break;
        home = r.items[0].code;
        if (r.items.length > 1) break;
    }
    sessionStorage.setItem(KEY, home);
    return home;
}

// GB/T 2260 codes: 2, 4, 6, 9 and 12 digits for province … village; the parent is a prefix.
const LENGTHS = [2, 4, 6, 9, 12];
export function ancestors(code, top) {
    const out = [];
    for (const n of LENGTHS) {
        if (n > code.length) break;
        const c = code.slice(0, n);
        if (c.length >= top.length) out.push(c);
    }
    return out;
}

export const LEVELS = ['province', 'city', 'county', 'township', 'village'];
export function levelOf(code) {
    return LEVELS[LENGTHS.indexOf(code.length)] || '';
}
