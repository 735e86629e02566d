/*
 * test_process.c - the real yilian program as child processes: a server killed mid-write, a
 * backup under write load, backup and restore refusals, a clean stop on SIGTERM, audit
 * tampering found by `audit verify`, `id check`, configuration errors, a second server.
 *
 * Children run $YILIAN_BIN (default build/check/yilian) through fork and exec; their output
 * comes back through pipes. Every wait has a deadline after which the child is killed, each
 * test kills what it left, and a watchdog kills every child if the whole file runs away, so
 * a hang cannot stall the suite.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"
#include "test.h"

#define TEXT_MAX 65536          /* most output kept from one child stream */
#define WATCHDOG_S 240          /* the whole file, should every deadline below fail */
#define START_MS 30000          /* a server has this long to print its listening line */
#define COMMAND_MS 30000        /* a one-shot command has this long to finish */
#define STOP_MS 10000           /* a stopping server has this long to exit */

/* ------------------------------------------------------------------ children and deadlines */

/* Every child still running, so a failed check (which returns at once) or the watchdog can
 * still kill it. */
#define MAX_LIVE 32
static pid_t live[MAX_LIVE];

static void live_add(pid_t pid)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] == 0) {
            live[i] = pid;
            return;
        }
    fprintf(stderr, "    too many children\n");
    abort();
}

static void live_remove(pid_t pid)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] == pid)
            live[i] = 0;
}

/* Kill and reap every child left; each test ends with this, whatever its checks did. */
static void live_kill_all(void)
{
    for (int i = 0; i < MAX_LIVE; i++) {
        if (live[i] == 0)
            continue;
        kill(live[i], SIGKILL);
        waitpid(live[i], NULL, 0);
        live[i] = 0;
    }
}

static void watchdog_fire(int sig)
{
    static const char msg[] = "test_process: watchdog expired; killing children\n";
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] != 0)
            kill(live[i], SIGKILL);
    ssize_t k = write(2, msg, sizeof(msg) - 1);
    (void)k;
    _exit(3);
}

__attribute__((constructor)) static void watchdog_start(void)
{
    signal(SIGALRM, watchdog_fire);
    signal(SIGPIPE, SIG_IGN);
    alarm(WATCHDOG_S);
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

static const char *yilian_bin(void)
{
    const char *b = getenv("YILIAN_BIN");
    return b != NULL && b[0] != '\0' ? b : "build/check/yilian";
}

/* Output collected from a child: fixed storage, so a check that fails and returns at once
 * leaks nothing. What passes TEXT_MAX is dropped. */
struct text {
    size_t len;
    char data[TEXT_MAX];
};

static void text_append(struct text *t, const char *p, size_t n)
{
    if (n > TEXT_MAX - 1 - t->len)
        n = TEXT_MAX - 1 - t->len;
    memcpy(t->data + t->len, p, n);
    t->len += n;
    t->data[t->len] = '\0';
}

/* Start argv[0] with the given descriptors as its stdin, stdout and stderr. The parent's own
 * descriptors are all close-on-exec, so the child holds nothing else open. */
static pid_t spawn(char *const argv[], int in_fd, int out_fd, int err_fd)
{
    static bool cleanup_registered;
    if (!cleanup_registered) {
        /* After ts_tmpdir's own handler, so it runs first: children die before their folder. */
        ts_tmpdir();
        atexit(live_kill_all);
        cleanup_registered = true;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        abort();
    }
    if (pid == 0) {
        dup2(in_fd, 0);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    live_add(pid);
    return pid;
}

/* Wait for `pid` until `deadline`, then kill it. Returns the exit status, 128 + the signal
 * that ended it, or -1 when it had to be killed for running too long. */
static int wait_until(pid_t pid, int64_t deadline)
{
    int st = 0;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            live_remove(pid);
            return -2;
        }
        if (now_ms() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            live_remove(pid);
            return -1;
        }
        sleep_ms(5);
    }
    live_remove(pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Read one chunk of what `fd` has, waiting until `deadline` at most. Returns 1 at end of
 * file, else 0 (a chunk read, or the deadline passed). */
static int read_chunk(int fd, struct text *b, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {fd, POLLIN, 0};
        int k = poll(&p, 1, (int)left);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return 0;
        char chunk[4096];
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 1;
        text_append(b, chunk, (size_t)n);
        return 0;
    }
}

/* Read until end of file or `deadline`. Returns 1 at end of file, else 0. */
static int read_to_end(int fd, struct text *b, int64_t deadline)
{
    while (now_ms() < deadline)
        if (read_chunk(fd, b, deadline) == 1)
            return 1;
    return 0;
}

static void tmp_file(char out[512], const char *name)
{
    snprintf(out, 512, "%s", ts_path(name));
}
/* ------------------------------------------------------------------ one-shot commands */

/* What a command is expected to do: exit with a given status, or fail (1 to 125) cleanly. */
#define RUN_FAILS (-100)

struct run {
    int status;         /* exit status, 128 + signal, or -1 when killed for its time */
    bool sanitizer;     /* a sanitizer reported on its stderr */
    struct text out;
    struct text err;
};

/* Run yilian with the words given (NULL-terminated), `input` on its stdin (NULL: none), and
 * collect its output into r. True when it ended as `expect` says and no sanitizer spoke (an
 * AddressSanitizer report exits 1, which would pass for an ordinary refusal); otherwise its
 * output is printed for the log. */
static bool run_yilian(struct run *r, const char *input, int expect, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)yilian_bin();
    va_list ap;
    va_start(ap, expect);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && argc < 31)
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;

    r->status = 0;
    r->out.len = r->err.len = 0;
    r->out.data[0] = r->err.data[0] = '\0';
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
        abort();
    int64_t deadline = now_ms() + COMMAND_MS;
    pid_t pid = spawn(argv, in[0], out[1], err[1]);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    /* Inputs here are a line or two, well under a pipe's capacity: write, then close. */
    if (input != NULL && write(in[1], input, strlen(input)) < 0)
        perror("write to child");
    close(in[1]);
    bool out_open = true, err_open = true;
    while ((out_open || err_open) && now_ms() < deadline) {
        struct pollfd p[2] = {{out_open ? out[0] : -1, POLLIN, 0},
                              {err_open ? err[0] : -1, POLLIN, 0}};
        int k = poll(p, 2, (int)(deadline - now_ms()));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        if (p[0].revents != 0 && read_chunk(out[0], &r->out, deadline) == 1)
            out_open = false;
        if (p[1].revents != 0 && read_chunk(err[0], &r->err, deadline) == 1)
            err_open = false;
    }
    close(out[0]);
    close(err[0]);
    r->status = wait_until(pid, deadline);
    r->sanitizer = strstr(r->err.data, "Sanitizer") != NULL ||
                   strstr(r->err.data, "runtime error:") != NULL;
    bool as_expected = expect == RUN_FAILS ? r->status >= 1 && r->status <= 125
                                           : r->status == expect;
    if (as_expected && !r->sanitizer)
        return true;
    fprintf(stderr, "    yilian");
    for (int i = 1; i < argc; i++)
        fprintf(stderr, " %s", argv[i]);
    fprintf(stderr, ": status %d (expected %s%d)\n    stdout: %s\n    stderr: %s\n", r->status,
            expect == RUN_FAILS ? "1 to 125, not " : "", expect == RUN_FAILS ? 0 : expect,
            r->out.data, r->err.data);
    return false;
}

/* ------------------------------------------------------------------ a server child */

struct server {
    pid_t pid;
    int out_fd;             /* its stdout */
    struct text out;        /* everything read from it so far */
    int port;
    char password[64];      /* the first admin's, when this start created it; else "" */
    char err_path[512];     /* its stderr goes to this file */
};

/* Start `yilian --db DB --port 0 --log_requests false serve` and wait for its listening
 * line. Returns 0, or -1 (the child is reaped and what it said is printed). */
static int server_start_with(struct server *s, const char *db, const char *const *extra,
                             const char *mark);

static int server_start(struct server *s, const char *db)
{
    return server_start_with(s, db, NULL, "listening on http://127.0.0.1:");
}

/* As server_start, with extra words before "serve" and the text that precedes the port in
 * the listening line. */
static int server_start_with(struct server *s, const char *db, const char *const *extra,
                             const char *mark)
{
    static int counter;
    memset(s, 0, sizeof(*s));
    snprintf(s->err_path, sizeof(s->err_path), "%s/server-%d.err", ts_tmpdir(), counter++);
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        abort();
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int err = open(s->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    char *argv[32] = {(char *)yilian_bin(), "--db", (char *)db, "--port", "0",
                      "--log_requests", "false"};
    int argc = 7;
    for (int i = 0; extra != NULL && extra[i] != NULL && argc < 30; i++)
        argv[argc++] = (char *)extra[i];
    argv[argc++] = "serve";
    argv[argc] = NULL;
    s->pid = spawn(argv, in, out[1], err);
    close(in);
    close(err);
    close(out[1]);
    s->out_fd = out[0];

    int64_t deadline = now_ms() + START_MS;
    for (;;) {
        const char *at = strstr(s->out.data, mark);
        if (at != NULL && strchr(at, '\n') != NULL) {
            s->port = (int)strtol(at + strlen(mark), NULL, 10);
            break;
        }
        if (read_chunk(s->out_fd, &s->out, deadline) == 1 || now_ms() >= deadline) {
            int st = wait_until(s->pid, now_ms());
            fprintf(stderr, "    server on %s did not start (status %d): %s\n", db, st,
                    s->out.data);
            close(s->out_fd);
            s->out_fd = -1;
            return -1;
        }
    }
    const char *pw = strstr(s->out.data, "password \"");
    if (pw != NULL) {
        pw += strlen("password \"");
        size_t n = strcspn(pw, "\"");
        if (n < sizeof(s->password))
            memcpy(s->password, pw, n);
    }
    return s->port > 0 ? 0 : -1;
}

/* Send `sig`, wait for the server to exit and read the rest of its stdout. Returns its
 * status as wait_until does. */
static int server_stop(struct server *s, int sig)
{
    kill(s->pid, sig);
    int64_t deadline = now_ms() + STOP_MS;
    read_to_end(s->out_fd, &s->out, deadline);
    close(s->out_fd);
    s->out_fd = -1;
    return wait_until(s->pid, deadline);
}

/* A file's text (a server's stderr). */
static void read_text_file(const char *path, struct text *out)
{
    out->len = 0;
    out->data[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        text_append(out, chunk, n);
    fclose(f);
}

/* True when the server's stderr holds a sanitizer report (printed when so). */
static bool server_sanitized(const struct server *s)
{
    static struct text err;
    read_text_file(s->err_path, &err);
    bool found = strstr(err.data, "Sanitizer") != NULL || strstr(err.data, "runtime error:");
    if (found)
        fprintf(stderr, "    server stderr: %s\n", err.data);
    return found;
}

/* One request's status (-1 when the server could not be reached). */
static int http_status(int port, const char *method, const char *path, const char *token,
                       const char *json)
{
    struct ts_response r;
    int rc = ts_request(port, method, path, token, NULL, json, json ? strlen(json) : 0, &r);
    int status = rc == 0 ? r.status : -1;
    ts_response_free(&r);
    return status;
}

/* Create an analyst through the API; returns the HTTP status. */
static int create_user(int port, const char *token, const char *name)
{
    char body[256];
    snprintf(body, sizeof(body),
             "{\"username\":\"%s\",\"password\":\"password-%s-x\",\"role\":\"analyst\","
             "\"scope\":\"region\"}",
             name, name);
    return http_status(port, "POST", "/api/users", token, body);
}

/* ------------------------------------------------------------------ the writer child */

#define MAX_NAMES 4096
#define NAME_LEN 40

struct names {
    char v[MAX_NAMES][NAME_LEN];
    int n;
    struct text pending;    /* bytes read but not yet a whole line */
};

static void names_init(struct names *nm)
{
    nm->n = 0;
    nm->pending.len = 0;
    nm->pending.data[0] = '\0';
}

static void names_add(struct names *nm, const char *s, size_t n)
{
    if (nm->n >= MAX_NAMES || n == 0 || n >= NAME_LEN)
        return;
    memcpy(nm->v[nm->n], s, n);
    nm->v[nm->n][n] = '\0';
    nm->n++;
}

static bool names_has(const struct names *nm, const char *s)
{
    for (int i = 0; i < nm->n; i++)
        if (strcmp(nm->v[i], s) == 0)
            return true;
    return false;
}

/* Move each whole line of nm->pending into the list. */
static void names_take_lines(struct names *nm)
{
    char *p = nm->pending.data;
    size_t used = 0;
    for (;;) {
        char *nl = memchr(p + used, '\n', nm->pending.len - used);
        if (nl == NULL)
            break;
        names_add(nm, p + used, (size_t)(nl - (p + used)));
        used = (size_t)(nl - p) + 1;
    }
    memmove(p, p + used, nm->pending.len - used);
    nm->pending.len -= used;
    p[nm->pending.len] = '\0';
}

/* Read names, one a line, from `fd` until `deadline`, or until at least `want` (when > 0)
 * are known. Returns 1 at end of file, else 0. */
static int names_read(struct names *nm, int fd, int64_t deadline, int want)
{
    for (;;) {
        if (want > 0 && nm->n >= want)
            return 0;
        if (now_ms() >= deadline)
            return 0;
        int eof = read_chunk(fd, &nm->pending, deadline);
        names_take_lines(nm);
        if (eof)
            return 1;
    }
}

/* The writer's body: log in as admin, then create users u001, u002, ... (names have at
 * least three characters) through the API and write each name the server acknowledged with
 * 201 to `fd`. Ends when the server stops answering, or after 30 s. */
static void writer_loop(int port, const char *password, int fd)
{
    char token[ACCT_TOKEN_HEX];
    if (ts_login(port, "admin", password, token) != 200)
        return;
    int64_t stop = now_ms() + 30000;
    for (int i = 1; now_ms() < stop; i++) {
        char name[NAME_LEN], body[256], line[NAME_LEN + 1];
        snprintf(name, sizeof(name), "u%03d", i);
        snprintf(body, sizeof(body),
                 "{\"username\":\"%s\",\"password\":\"password-%d-x\",\"role\":\"analyst\","
                 "\"scope\":\"region\"}",
                 name, i);
        int status = http_status(port, "POST", "/api/users", token, body);
        if (status < 0)
            return;
        if (status != 201)
            continue;
        int n = snprintf(line, sizeof(line), "%s\n", name);
        if (write(fd, line, (size_t)n) != n)
            return;
    }
}

/* Fork the writer; *names_fd receives the read end of its pipe of acknowledged names. */
static pid_t writer_start(int port, const char *password, int *names_fd)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        abort();
    pid_t pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        alarm(0);
        close(p[0]);
        writer_loop(port, password, p[1]);
        /* _exit: the parent's exit handlers (removing the temporary folder) are not ours. */
        _exit(0);
    }
    close(p[1]);
    live_add(pid);
    *names_fd = p[0];
    return pid;
}

/* ------------------------------------------------------------------ reading results back */

/* Every username, through GET /api/users pages of 1000. Returns 0 or the failing status. */
static int api_usernames(int port, const char *token, struct names *out)
{
    char next[64] = "";
    for (int page = 0; page < 100; page++) {
        char path[160];
        snprintf(path, sizeof(path), "/api/users?limit=1000%s%s", next[0] ? "&cursor=" : "",
                 next);
        struct ts_response r;
        if (ts_get(port, path, token, &r) != 0 || r.status != 200 || r.json == NULL) {
            int st = r.status;
            ts_response_free(&r);
            return st == 0 ? -1 : st;
        }
        json_t *items = json_object_get(r.json, "items");
        size_t i;
        json_t *u;
        json_array_foreach(items, i, u)
        {
            const char *name = json_string_value(json_object_get(u, "username"));
            if (name != NULL)
                names_add(out, name, strlen(name));
        }
        json_t *nx = json_object_get(r.json, "next");
        next[0] = '\0';
        if (json_is_string(nx))
            snprintf(next, sizeof(next), "%s", json_string_value(nx));
        ts_response_free(&r);
        if (next[0] == '\0')
            return 0;
    }
    return -1;
}

/* Every username in `yilian --db DB user list` (its second column, under a header line).
 * True when the command succeeded. */
static bool cli_usernames(const char *db, struct names *out)
{
    static struct run r;
    if (!run_yilian(&r, NULL, 0, "--db", db, "user", "list", NULL))
        return false;
    const char *p = strchr(r.out.data, '\n');
    while (p != NULL && *++p != '\0') {
        char id[32], name[NAME_LEN];
        if (sscanf(p, "%31s %39s", id, name) == 2)
            names_add(out, name, strlen(name));
        p = strchr(p, '\n');
    }
    return true;
}

/* Names like u001: the writer's. */
static int count_written(const struct names *nm)
{
    int n = 0;
    for (int i = 0; i < nm->n; i++)
        if (nm->v[i][0] == 'u' && nm->v[i][1] >= '0' && nm->v[i][1] <= '9')
            n++;
    return n;
}

/* `audit verify` on db, expected to end with `expect`; *records gets the count it reports
 * (-1 when none) and out, when given, what it printed. */
static bool audit_verify_db(const char *db, int expect, long *records, struct text *out)
{
    static struct run r;
    bool ok = run_yilian(&r, NULL, expect, "--db", db, "audit", "verify", NULL);
    const char *intact = strstr(r.out.data, "audit chain intact: ");
    *records = intact != NULL ? strtol(intact + strlen("audit chain intact: "), NULL, 10) : -1;
    if (out != NULL) {
        out->len = 0;
        out->data[0] = '\0';
        text_append(out, r.out.data, r.out.len);
    }
    return ok;
}

/* ------------------------------------------------------------------ tests */

/* The crash test: every user the server acknowledged before it was killed with
 * SIGKILL mid-stream is there after a restart, and the audit chain still verifies. */
static void crash_test(void)
{
    char db[512];
    tmp_file(db, "crash.db");
    static struct server s;
    CHECK_INT(server_start(&s, db), 0);
    CHECK(s.password[0] != '\0');
    char admin_password[64];
    snprintf(admin_password, sizeof(admin_password), "%s", s.password);

    int fd;
    pid_t writer = writer_start(s.port, s.password, &fd);
    static struct names acked;
    names_init(&acked);
    /* Kill after 1.5 s, and not before one write was acknowledged (ASan is slow). */
    int64_t t0 = now_ms();
    names_read(&acked, fd, t0 + 1500, 0);
    if (acked.n == 0)
        names_read(&acked, fd, t0 + 20000, 1);
    CHECK_INT(server_stop(&s, SIGKILL), 128 + SIGKILL);
    /* The writer sees the connection die and stops; take every name it sent. */
    CHECK_INT(names_read(&acked, fd, now_ms() + 15000, 0), 1);
    close(fd);
    CHECK_INT(wait_until(writer, now_ms() + 5000), 0);
    fprintf(stderr, "    %d users acknowledged before SIGKILL\n", acked.n);
    CHECK(acked.n >= 1);

    static struct server s2;
    CHECK_INT(server_start(&s2, db), 0);
    /* The database has users, so the restart must not make another admin. */
    CHECK_STR(s2.password, "");
    char token[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(s2.port, "admin", admin_password, token), 200);
    static struct names present;
    names_init(&present);
    CHECK_INT(api_usernames(s2.port, token, &present), 0);
    for (int i = 0; i < acked.n; i++) {
        if (!names_has(&present, acked.v[i]))
            fprintf(stderr, "    acknowledged user %s is missing\n", acked.v[i]);
        CHECK(names_has(&present, acked.v[i]));
    }
    /* Only the request in flight at the kill may have committed unacknowledged. */
    int made = count_written(&present);
    CHECK(made >= acked.n && made <= acked.n + 1);
    CHECK_INT(server_stop(&s2, SIGTERM), 0);
    CHECK(!server_sanitized(&s2));

    long records;
    CHECK(audit_verify_db(db, 0, &records, NULL));
    /* At least the first admin, the writer's login, and each acknowledged create. */
    CHECK(records >= 2 + acked.n);
}

TEST(sigkill_keeps_acknowledged_users_and_audit_chain)
{
    crash_test();
    live_kill_all();
}

/* A backup taken while a writer goes on holds everything acknowledged before it began, and
 * restores into a fresh database whose audit chain verifies. */
static void backup_test(void)
{
    char db[512], bak[512], restored[512];
    tmp_file(db, "load.db");
    tmp_file(bak, "load-backup.db");
    tmp_file(restored, "load-restored.db");
    static struct server s;
    CHECK_INT(server_start(&s, db), 0);
    int fd;
    pid_t writer = writer_start(s.port, s.password, &fd);
    static struct names acked;
    names_init(&acked);
    names_read(&acked, fd, now_ms() + 20000, 2);
    CHECK(acked.n >= 2);
    int n_before = acked.n;

    static struct run r;
    CHECK(run_yilian(&r, NULL, 0, "--db", db, "backup", bak, NULL));
    CHECK_CONTAINS(r.out.data, "written to");
    /* The writer went on through the backup. */
    names_read(&acked, fd, now_ms() + 10000, n_before + 1);
    fprintf(stderr, "    %d users acknowledged before the backup, %d by its end\n", n_before,
            acked.n);
    CHECK(acked.n > n_before);

    CHECK_INT(server_stop(&s, SIGKILL), 128 + SIGKILL);
    kill(writer, SIGKILL);
    wait_until(writer, now_ms() + 5000);
    close(fd);

    CHECK(run_yilian(&r, NULL, 0, "--db", restored, "restore", bak, NULL));
    CHECK_CONTAINS(r.out.data, "restored from");
    /* restore warns on stderr when the restored audit chain is broken. */
    CHECK_STR(r.err.data, "");

    static struct names present;
    names_init(&present);
    CHECK(cli_usernames(restored, &present));
    CHECK(names_has(&present, "admin"));
    for (int i = 0; i < n_before; i++) {
        if (!names_has(&present, acked.v[i]))
            fprintf(stderr, "    user %s acknowledged before the backup is missing\n",
                    acked.v[i]);
        CHECK(names_has(&present, acked.v[i]));
    }
    long records;
    CHECK(audit_verify_db(restored, 0, &records, NULL));
    CHECK(records >= 2 + n_before);
}

TEST(backup_under_write_load_restores_acknowledged_users)
{
    backup_test();
    live_kill_all();
}

/* A backup onto the database itself, its write-ahead log, or a link to it is refused: the
 * copy begins by deleting its destination, which took the live data with it. */
static void backup_onto_itself_test(void)
{
    char db[512], wal[600], link[512];
    tmp_file(db, "self.db");
    tmp_file(link, "self-link.db");
    snprintf(wal, sizeof(wal), "%s-wal", db);
    static struct server s;
    CHECK_INT(server_start(&s, db), 0);
    char token[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(s.port, "admin", s.password, token), 200);
    CHECK_INT(create_user(s.port, token, "kept1"), 201);
    CHECK(symlink(db, link) == 0);

    static struct run r;
    const char *dests[] = {db, wal, link};
    for (size_t i = 0; i < sizeof(dests) / sizeof(dests[0]); i++) {
        CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", db, "backup", dests[i], NULL));
        CHECK_CONTAINS(r.err.data, "is the database");
    }
    /* The server's data is untouched and it goes on writing where it did. */
    CHECK_INT(create_user(s.port, token, "kept2"), 201);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    static struct names present;
    names_init(&present);
    CHECK(cli_usernames(db, &present));
    CHECK(names_has(&present, "admin"));
    CHECK(names_has(&present, "kept1"));
    CHECK(names_has(&present, "kept2"));
    long records;
    CHECK(audit_verify_db(db, 0, &records, NULL));
    CHECK(records >= 4);
}

TEST(backup_onto_database_refused)
{
    backup_onto_itself_test();
    live_kill_all();
}

/* restore must not pull the database away from a running server, whatever name reaches
 * it; once the server stops, it may. */
static void restore_refused_test(void)
{
    char db[512], bak[512], link[512];
    tmp_file(db, "busy.db");
    tmp_file(bak, "busy-backup.db");
    tmp_file(link, "busy-link.db");
    CHECK(symlink(db, link) == 0);
    static struct server s;
    CHECK_INT(server_start(&s, db), 0);
    static struct run r;
    CHECK(run_yilian(&r, NULL, 0, "--db", db, "backup", bak, NULL));

    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", db, "restore", bak, NULL));
    CHECK_CONTAINS(r.err.data, "in use");
    CHECK(strstr(r.out.data, "restored") == NULL);
    /* The same database through a symbolic link is just as busy. */
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", link, "restore", bak, NULL));
    CHECK_CONTAINS(r.err.data, "in use");

    CHECK_INT(http_status(s.port, "GET", "/api/health", NULL, NULL), 200);
    CHECK_INT(server_stop(&s, SIGTERM), 0);

    CHECK(run_yilian(&r, NULL, 0, "--db", db, "restore", bak, NULL));
    CHECK_CONTAINS(r.out.data, "restored from");
}

TEST(restore_refused_while_served)
{
    restore_refused_test();
    live_kill_all();
}

/* SIGTERM: the request in flight is answered and kept (or refused and not kept), the
 * process says it stops and exits 0 (a sanitizer report would change that), and the audit
 * chain verifies. */
static void sigterm_test(void)
{
    char db[512];
    tmp_file(db, "term.db");
    static struct server s;
    CHECK_INT(server_start(&s, db), 0);
    char token[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(s.port, "admin", s.password, token), 200);
    CHECK_INT(create_user(s.port, token, "before_stop"), 201);

    /* A create, slow because it hashes a password, sent just before the signal. */
    int p[2];
    CHECK(pipe2(p, O_CLOEXEC) == 0);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        alarm(0);
        char line[32];
        int n = snprintf(line, sizeof(line), "%d\n", create_user(s.port, token, "in_flight"));
        ssize_t k = write(p[1], line, (size_t)n);
        (void)k;
        _exit(0);
    }
    close(p[1]);
    live_add(child);
    sleep_ms(20);

    int64_t t0 = now_ms();
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    int64_t took_ms = now_ms() - t0;
    CHECK(took_ms < 8000);
    CHECK_CONTAINS(s.out.data, "SIGTERM received, stopping");
    CHECK(!server_sanitized(&s));

    static struct text answer;
    answer.len = 0;
    answer.data[0] = '\0';
    read_to_end(p[0], &answer, now_ms() + 15000);
    close(p[0]);
    wait_until(child, now_ms() + 5000);
    int in_flight = answer.len > 0 ? (int)strtol(answer.data, NULL, 10) : -1;
    fprintf(stderr, "    stopped in %lld ms; the request in flight got %d\n",
            (long long)took_ms, in_flight);
    static struct names present;
    names_init(&present);
    CHECK(cli_usernames(db, &present));
    CHECK(names_has(&present, "before_stop"));
    if (in_flight == 201)
        CHECK(names_has(&present, "in_flight"));
    else
        CHECK(!names_has(&present, "in_flight"));

    long records;
    CHECK(audit_verify_db(db, 0, &records, NULL));
    CHECK(records >= 3);

    /* SIGINT (Ctrl-C) stops it the same way. */
    CHECK_INT(server_start(&s, db), 0);
    CHECK_INT(server_stop(&s, SIGINT), 0);
    CHECK_CONTAINS(s.out.data, "SIGINT received, stopping");
}

TEST(sigterm_stops_cleanly)
{
    sigterm_test();
    live_kill_all();
}

/* id check: one line per number, exit 1 when any is invalid, 2 without numbers. */
static void id_check_test(void)
{
    static struct run r;
    CHECK(run_yilian(&r, NULL, 0, "id", "check", "11010519491231002X", "110105491231002",
                     NULL));
    CHECK_CONTAINS(r.out.data, "11010519491231002X valid: born 1949-12-31, female, region "
                               "110105\n");
    /* The 15-digit form is valid and shown converted to 18 digits. */
    CHECK_CONTAINS(r.out.data, "110105491231002 valid: born 1949-12-31, female, region "
                               "110105, 18-digit form 11010519491231002X\n");

    /* The same number with its check character X changed to 1. */
    CHECK(run_yilian(&r, NULL, 1, "id", "check", "11010519491231002X", "110105194912310021",
                     NULL));
    CHECK_CONTAINS(r.out.data, "11010519491231002X valid: ");
    CHECK_CONTAINS(r.out.data, "110105194912310021 invalid: ");
    CHECK_CONTAINS(r.out.data, "check digit");
    int lines = 0;
    for (const char *p = r.out.data; *p != '\0'; p++)
        lines += *p == '\n';
    CHECK_INT(lines, 2);

    CHECK(run_yilian(&r, NULL, 2, "id", "check", NULL));
    CHECK_CONTAINS(r.err.data, "usage");
}

TEST(id_check_lines_and_exit_codes)
{
    id_check_test();
    live_kill_all();
}

/* An audit row edited behind the program's back (its guard trigger dropped first) is named
 * by `audit verify`, which then exits 1. */
static void tamper_test(void)
{
    char db[512];
    tmp_file(db, "tamper.db");
    static struct server s;
    CHECK_INT(server_start(&s, db), 0);
    char token[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(s.port, "admin", s.password, token), 200);
    CHECK_INT(create_user(s.port, token, "tamper1"), 201);
    CHECK_INT(server_stop(&s, SIGTERM), 0);

    long records;
    CHECK(audit_verify_db(db, 0, &records, NULL));
    CHECK(records >= 3);

    sqlite3 *h = NULL;
    CHECK_INT(sqlite3_open(db, &h), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(h,
                          "DROP TRIGGER audit_no_update;"
                          "UPDATE audit SET outcome = CASE outcome WHEN 'ok' THEN 'denied' "
                          "ELSE 'ok' END WHERE seq = 2;",
                          NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "    sqlite: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
    int changed = sqlite3_changes(h);
    sqlite3_close(h);
    CHECK_INT(rc, SQLITE_OK);
    CHECK_INT(changed, 1);

    static struct text out;
    CHECK(audit_verify_db(db, 1, &records, &out));
    CHECK_CONTAINS(out.data, "audit chain broken at record 2: ");
    CHECK_CONTAINS(out.data, "record 2 was changed");
}

TEST(audit_verify_names_tampered_record)
{
    tamper_test();
    live_kill_all();
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        abort();
    fputs(text, f);
    fclose(f);
}

/* Configuration mistakes stop the program before it does anything, naming the file and
 * line, or the flag. */
static void config_test(void)
{
    char conf[512], db[512], missing[512], loc[600];
    tmp_file(conf, "unknown.conf");
    tmp_file(db, "conf.db");
    tmp_file(missing, "missing.conf");
    static struct run r;
    write_file(conf, "# yilian settings\n\nport = 0\nno_such_key = 1\nthreads = 2\n");
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--config", conf, "--db", db, "serve", NULL));
    snprintf(loc, sizeof(loc), "%s:4", conf);
    CHECK_CONTAINS(r.err.data, loc);
    CHECK_CONTAINS(r.err.data, "no_such_key");
    CHECK_STR(r.out.data, "");

    /* A bad value in the file names its line too. */
    write_file(conf, "port = 0\n\nthreads = many\n");
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--config", conf, "--db", db, "serve", NULL));
    snprintf(loc, sizeof(loc), "%s:3", conf);
    CHECK_CONTAINS(r.err.data, loc);
    CHECK_CONTAINS(r.err.data, "threads");

    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", db, "--port", "abc", "serve", NULL));
    CHECK_CONTAINS(r.err.data, "port");
    CHECK_STR(r.out.data, "");
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", db, "--port=70000", "serve", NULL));
    CHECK_CONTAINS(r.err.data, "port");

    /* A config file that cannot be read is an error, not an empty configuration; so is
     * --config with no file after it. */
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--config", missing, "--db", db, "serve", NULL));
    CHECK_CONTAINS(r.err.data, "missing.conf");
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", db, "id", "check", "11010519491231002X",
                     "--config", NULL));
    CHECK_CONTAINS(r.err.data, "--config");
    CHECK_STR(r.out.data, "");

    /* Settings that cannot be empty: an empty database name or listening address. */
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", "", "audit", "verify", NULL));
    CHECK_CONTAINS(r.err.data, "db");
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", db, "--listen=", "--port", "0", "serve",
                     NULL));
    CHECK_CONTAINS(r.err.data, "listen");
    CHECK_STR(r.out.data, "");
    /* None of these made the database. */
    CHECK(access(db, F_OK) != 0);
}

TEST(config_errors_name_file_line_and_flag)
{
    config_test();
    live_kill_all();
}

/* Commands that read or change an existing database refuse a missing one rather than make
 * an empty file: `audit verify` must not call a mistyped name's chain intact. */
static void missing_database_test(void)
{
    char db[512], bak[512];
    tmp_file(db, "never-made.db");
    tmp_file(bak, "never-made-backup.db");
    static struct run r;
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", db, "audit", "verify", NULL));
    CHECK_CONTAINS(r.err.data, "does not exist");
    CHECK(strstr(r.out.data, "intact") == NULL);
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", db, "backup", bak, NULL));
    CHECK_CONTAINS(r.err.data, "does not exist");
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", db, "user", "list", NULL));
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", db, "user", "disable", "admin", NULL));
    CHECK(access(db, F_OK) != 0);
    CHECK(access(bak, F_OK) != 0);

    /* migrate is how a database is made. */
    CHECK(run_yilian(&r, NULL, 0, "--db", db, "migrate", NULL));
    CHECK_CONTAINS(r.out.data, "schema version");
    CHECK(run_yilian(&r, NULL, 0, "--db", db, "audit", "verify", NULL));
    CHECK_CONTAINS(r.out.data, "audit chain intact: 0 records");
}

TEST(missing_database_refused)
{
    missing_database_test();
    live_kill_all();
}

/* A second server on the same database, by the same name or through a link, is refused
 * before it creates anything, and the first goes on serving. */
static void serve_twice_test(void)
{
    char db[512], link[512];
    tmp_file(db, "twice.db");
    tmp_file(link, "twice-link.db");
    CHECK(symlink(db, link) == 0);
    static struct server s;
    CHECK_INT(server_start(&s, db), 0);
    static struct run r;
    const char *names[] = {db, link};
    for (size_t i = 0; i < 2; i++) {
        CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", names[i], "--port", "0",
                         "--log_requests", "false", "serve", NULL));
        CHECK_CONTAINS(r.err.data, "already served");
        CHECK_STR(r.out.data, "");
    }
    CHECK_INT(http_status(s.port, "GET", "/api/health", NULL, NULL), 200);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
}

TEST(serve_twice_refused)
{
    serve_twice_test();
    live_kill_all();
}

/* `user add --password-stdin` beside a running server: the new user logs in with exactly
 * the line given (without its newline), and the password is never echoed. */
static void user_add_test(void)
{
    char db[512];
    tmp_file(db, "useradd.db");
    static struct server s;
    CHECK_INT(server_start(&s, db), 0);
    static struct run r;
    CHECK(run_yilian(&r, "cli-pass-123-x\n", 0, "--db", db, "user", "add", "clerk", "--role",
                     "admin", "--password-stdin", NULL));
    CHECK_CONTAINS(r.out.data, "user clerk created");
    CHECK(strstr(r.out.data, "cli-pass-123-x") == NULL);

    char token[ACCT_TOKEN_HEX];
    CHECK_INT(ts_login(s.port, "clerk", "cli-pass-123-x", token), 200);
    CHECK(ts_login(s.port, "clerk", "cli-pass-123-y", token) != 200);

    CHECK(run_yilian(&r, "another-pass-1\n", RUN_FAILS, "--db", db, "user", "add", "clerk",
                     "--role", "admin", "--password-stdin", NULL));
    CHECK_CONTAINS(r.err.data, "clerk");

    CHECK_INT(server_stop(&s, SIGTERM), 0);
    long records;
    CHECK(audit_verify_db(db, 0, &records, NULL));
}

TEST(user_add_password_stdin_beside_server)
{
    user_add_test();
    live_kill_all();
}

/* ------------------------------------------------------------------ HTTPS */

static void tls_test(void)
{
    char db[512], cert[512], key[512], cmd[2048];
    tmp_file(db, "tls.db");
    tmp_file(cert, "tls-cert.pem");
    tmp_file(key, "tls-key.pem");
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
             "-keyout '%s' -out '%s' >/dev/null 2>&1", key, cert);
    CHECK_INT(system(cmd), 0);

    const char *extra[] = {"--tls_cert", cert, "--tls_key", key, NULL};
    static struct server s;
    CHECK_INT(server_start_with(&s, db, extra, "listening on https://127.0.0.1:"), 0);
    /* A real TLS client: curl, trusting our self-signed certificate. */
    snprintf(cmd, sizeof(cmd),
             "curl -s --max-time 10 --cacert '%s' https://127.0.0.1:%d/api/health", cert,
             s.port);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    char body[512] = "";
    size_t n = fread(body, 1, sizeof(body) - 1, p);
    body[n] = '\0';
    CHECK_INT(pclose(p), 0);
    CHECK_CONTAINS(body, "\"status\":\"ok\"");
    /* Plain HTTP to the TLS port gets no API answer. */
    struct ts_response r;
    if (ts_get(s.port, "/api/health", NULL, &r) == 0)
        CHECK(r.status != 200);
    ts_response_free(&r);
    CHECK_INT(server_stop(&s, SIGTERM), 0);

    /* Only one of the two files: refused before serving. */
    static struct run run;
    CHECK(run_yilian(&run, NULL, RUN_FAILS, "--db", db, "--port", "0", "--tls_cert", cert,
                     "serve", NULL));
    CHECK_CONTAINS(run.err.data, "both a certificate and a key");
}

TEST(https_when_certificate_and_key_configured)
{
    tls_test();
    live_kill_all();
}

static void plain_http_warning_test(void)
{
    char db[512];
    tmp_file(db, "warn.db");
    /* Bound on every address but only ever reached over loopback. */
    const char *extra[] = {"--listen", "0.0.0.0", NULL};
    static struct server s;
    CHECK_INT(server_start_with(&s, db, extra, "listening on http://0.0.0.0:"), 0);
    CHECK_INT(http_status(s.port, "GET", "/api/health", NULL, NULL), 200);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    static struct text err;
    read_text_file(s.err_path, &err);
    CHECK_CONTAINS(err.data, "WARNING: serving personal health data over plain HTTP");

    /* On loopback there is no warning. */
    CHECK_INT(server_start(&s, db), 0);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    read_text_file(s.err_path, &err);
    CHECK(strstr(err.data, "WARNING") == NULL);
}

TEST(plain_http_on_public_address_warns)
{
    plain_http_warning_test();
    live_kill_all();
}

/* ------------------------------------------------------------------ demo, import, report */

static void demo_report_test(void)
{
    char db[512];
    tmp_file(db, "demo.db");
    static struct run r;
    /* A small demo region, generated and loaded through the importers. */
    CHECK(run_yilian(&r, NULL, 0, "--db", db, "demo", "--residents", "300", NULL));
    CHECK_CONTAINS(r.out.data, "import residents        300 applied         0 unchanged      0 refused");
    CHECK_CONTAINS(r.out.data, "doctor");
    /* Re-importing the demo's own files changes nothing. */
    char file[600];
    snprintf(file, sizeof(file), "%s.demo/residents.csv", db);
    CHECK(run_yilian(&r, NULL, 0, "--db", db, "import", "residents", file, NULL));
    CHECK_STR(r.out.data, "residents: 0 applied, 300 unchanged, 0 refused\n");
    snprintf(file, sizeof(file), "%s.demo/contracts.csv", db);
    CHECK(run_yilian(&r, NULL, 0, "--db", db, "import", "contracts", file, NULL));
    CHECK_CONTAINS(r.out.data, "contracts: 0 applied");

    /* The report as CSV: whole counts, rates with decimals, never exponent notation. */
    char year[8];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(year, sizeof(year), "%d", tm.tm_year + 1900);
    CHECK(run_yilian(&r, NULL, 0, "--db", db, "report", "--ou", "222404", "--period", year,
                     "--format", "csv", NULL));
    CHECK_CONTAINS(r.out.data, ",records,建档人数,");
    CHECK_CONTAINS(r.out.data, ",teams,家庭医生团队数,family doctor teams,42,42,1,");
    CHECK(strstr(r.out.data, "e+") == NULL);
    CHECK(run_yilian(&r, NULL, 0, "--db", db, "report", "--ou", "222404", "--period", year,
                     "--by", "township", NULL));
    CHECK_CONTAINS(r.out.data, "222404001 靖和街道 (township)");
    CHECK(run_yilian(&r, NULL, RUN_FAILS, "--db", db, "report", "--ou", "222404", "--period",
                     "20x6", NULL));
    CHECK_CONTAINS(r.err.data, "period");
    CHECK(run_yilian(&r, NULL, 0, "--db", db, "index", "verify", NULL));
}

TEST(demo_import_rerun_report_and_index_verify)
{
    demo_report_test();
    live_kill_all();
}

TEST_MAIN()
