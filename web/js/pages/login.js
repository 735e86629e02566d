// login.js - the login form. The token goes to sessionStorage (gone when the tab closes);
// the user object with its permissions decides the menu.

import { api, session } from '../api.js';
import { h, message, field, t } from '../ui.js';

export function render(main, { params, go, home }) {
    const user = h('input', { name: 'username', autocomplete: 'username', required: true });
    const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const status = h('div', { class: 'status' });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
    const form = h('form', { class: 'login card', novalidate: true },
        h('h1', {}, t('login.title')),
        params.get('expired') ? message(t('login.expired'), 'info') : null,
        field(t('login.username'), user),
        field(t('login.password'), pass),
        submit, status);
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        status.replaceChildren();
        if (!user.value || !pass.value) {
            status.append(message(t('login.missing'), 'error'));
            return;
        }
        submit.disabled = true;
        try {
            const r = await api('/api/login', { method: 'POST', body: { username: user.value, password: pass.value } });
            session.start(r);
            const then = params.get('then');
            if (then && !then.startsWith('/login')) location.hash = then;
            else go(home());
        } catch (e) {
            const text = e.status === 401 ? t('login.wrong') : e.status === 429 ? t('login.throttled') : e.message;
            status.append(message(text, 'error'));
            pass.select();
        } finally {
            submit.disabled = false;
        }
    });
    main.append(form);
    user.focus();
}
