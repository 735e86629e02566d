/*
 * glm.c - quasi-Poisson regression (log link) by iteratively reweighted least squares.
 *
 * The iteration mirrors R's glm.fit step for step (start, stopping rule, the floor of the
 * mean at machine epsilon) because Farrington's bound depends on by-products of the last
 * step, the working weights and the covariance, which differ slightly from their values at
 * the exact optimum. Each step solves the weighted normal equations by Cholesky; designs
 * here have at most a dozen columns and a few hundred rows. Reference: McCullagh and Nelder,
 * Generalized Linear Models (1989), ch. 2.5; R's glm.fit and summary.glm.
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "detect_int.h"

#define GLM_MAX_ITER 25
#define GLM_EPSILON 1e-8
/* A pivot this much smaller than its diagonal means a column is (nearly) a combination of
 * the others; R's QR uses a tolerance of the same order. */
#define GLM_SINGULAR 1e-11

/* In place: the lower Cholesky factor of the k x k matrix a. -1 when not positive definite. */
static int glm_cholesky(double *a, int k)
{
    for (int j = 0; j < k; j++) {
        double d = a[j * k + j], diag = d;
        for (int m = 0; m < j; m++)
            d -= a[j * k + m] * a[j * k + m];
        if (!(d > GLM_SINGULAR * diag))
            return -1;
        d = sqrt(d);
        a[j * k + j] = d;
        for (int i = j + 1; i < k; i++) {
            double s = a[i * k + j];
            for (int m = 0; m < j; m++)
                s -= a[i * k + m] * a[j * k + m];
            a[i * k + j] = s / d;
        }
    }
    return 0;
}

/* Solve L L' v = b in place. */
static void glm_chol_solve(const double *l, int k, double *v)
{
    for (int i = 0; i < k; i++) {
        double s = v[i];
        for (int m = 0; m < i; m++)
            s -= l[i * k + m] * v[m];
        v[i] = s / l[i * k + i];
    }
    for (int i = k - 1; i >= 0; i--) {
        double s = v[i];
        for (int m = i + 1; m < k; m++)
            s -= l[m * k + i] * v[m];
        v[i] = s / l[i * k + i];
    }
}

/* (L L')^-1 column by column. */
static void glm_chol_inverse(const double *l, int k, double *inv)
{
    double col[SURV_GLM_MAX_COLS];

    for (int j = 0; j < k; j++) {
        memset(col, 0, sizeof(col));
        col[j] = 1.0;
        glm_chol_solve(l, k, col);
        for (int i = 0; i < k; i++)
            inv[i * k + j] = col[i];
    }
}

static double glm_prior(const struct surv_glm *g, size_t i)
{
    return g->prior != NULL ? g->prior[i] : 1.0;
}

/* Poisson deviance, 2 sum w (y log(y / mu) - (y - mu)). */
static double glm_deviance(const struct surv_glm *g)
{
    double dev = 0.0;

    for (size_t i = 0; i < g->n; i++) {
        double y = g->y[i], mu = g->mu[i];
        double r = y > 0.0 ? y * log(y / mu) - (y - mu) : mu;
        dev += 2.0 * glm_prior(g, i) * r;
    }
    return dev;
}

/* Whole counts below this share their start values within a fit. */
#define GLM_MEMO 64

/* R's start, mu = y + 0.1 and eta = log(mu), and its deviance (as glm_deviance, term for
 * term and in the same order). Both depend on y alone, so a count met again in the fit
 * reuses its logarithms: the reference data hold a few hundred counts but a few dozen
 * distinct values. */
static double glm_start(struct surv_glm *g, double *eta)
{
    double memo_eta[GLM_MEMO], memo_r[GLM_MEMO];
    bool have[GLM_MEMO] = { false };
    double dev = 0.0;

    for (size_t i = 0; i < g->n; i++) {
        double y = g->y[i], mu = y + 0.1, r, e;
        bool small = y >= 0.0 && y < GLM_MEMO && y == floor(y);
        int v = small ? (int)y : 0;

        if (small && have[v]) {
            e = memo_eta[v];
            r = memo_r[v];
        } else {
            e = log(mu);
            r = y > 0.0 ? y * log(y / mu) - (y - mu) : mu;
            if (small) {
                memo_eta[v] = e;
                memo_r[v] = r;
                have[v] = true;
            }
        }
        g->mu[i] = mu;
        eta[i] = e;
        dev += 2.0 * glm_prior(g, i) * r;
    }
    return dev;
}

/* The inverse link with R's floor: a mean is never below machine epsilon. */
static double glm_mean(double eta)
{
    return surv_fmax(exp(eta), DBL_EPSILON);
}

/* The non-zero columns of a design row: seasonal designs are one-hot, so a row of a dozen
 * columns has three entries and the products below cost 9 terms instead of 144. */
static int glm_nonzero(const double *xi, int k, int *nz)
{
    int m = 0;

    for (int a = 0; a < k; a++)
        if (xi[a] != 0.0)
            nz[m++] = a;
    return m;
}

/* The non-zero columns of every row, found once per fit rather than at every step (the
 * test of each entry was a branch that mispredicts from row to row): row i's count at
 * nz[i * NZ_STRIDE], its columns after it. A row equal to the one before is marked
 * GLM_SAME_ROW, so its mean is copied instead of recomputed: without a trend the rows of
 * one seasonal block are all alike. Both leave every sum in the same order, so the fit is
 * the same to the bit. */
#define NZ_STRIDE (SURV_GLM_MAX_COLS + 1)
#define GLM_SAME_ROW 0x80

static unsigned char *glm_sparse(const struct surv_glm *g)
{
    unsigned char *nz = xmalloc((g->n ? g->n : 1) * NZ_STRIDE);
    int k = g->k, cols[SURV_GLM_MAX_COLS];

    for (size_t i = 0; i < g->n; i++) {
        const double *xi = g->x + i * (size_t)k;
        unsigned char *r = nz + i * NZ_STRIDE;
        int m = glm_nonzero(xi, k, cols);

        r[0] = (unsigned char)m;
        for (int u = 0; u < m; u++)
            r[1 + u] = (unsigned char)cols[u];
        if (i > 0 && memcmp(xi, xi - k, sizeof(double) * (size_t)k) == 0)
            r[0] |= GLM_SAME_ROW;
    }
    return nz;
}

/* One weighted least-squares step at the current means: fills wt, the factor of X'WX in
 * xtwx and the new coefficients. -1 when singular. */
static int glm_wls_step(struct surv_glm *g, const unsigned char *nzs, const double *eta,
                        double *xtwx)
{
    double xtwz[SURV_GLM_MAX_COLS] = { 0 };
    int k = g->k;

    memset(xtwx, 0, sizeof(double) * (size_t)(k * k));
    for (size_t i = 0; i < g->n; i++) {
        const double *xi = g->x + i * (size_t)k;
        double mu = g->mu[i];
        /* For the log link d mu / d eta = mu and Var(mu) = mu, so the working weight is
         * prior * mu and the working response eta + (y - mu) / mu. */
        double w = glm_prior(g, i) * mu;
        double z = eta[i] + (g->y[i] - mu) / mu;
        const unsigned char *nz = nzs + i * NZ_STRIDE + 1;
        int m = nzs[i * NZ_STRIDE] & ~GLM_SAME_ROW;

        g->wt[i] = w;
        if (w <= 0.0)
            continue;
        for (int u = 0; u < m; u++) {
            int a = nz[u];
            xtwz[a] += w * xi[a] * z;
            for (int v = 0; v <= u; v++)
                xtwx[a * k + nz[v]] += w * xi[a] * xi[nz[v]];
        }
    }
    for (int a = 0; a < k; a++)
        for (int b = a + 1; b < k; b++)
            xtwx[a * k + b] = xtwx[b * k + a];
    if (glm_cholesky(xtwx, k) != 0)
        return -1;
    glm_chol_solve(xtwx, k, xtwz);
    memcpy(g->beta, xtwz, sizeof(double) * (size_t)k);
    return 0;
}

/* eta = X beta over the non-zero entries only: the zero terms add +-0 to a sum that is
 * never -0, so the result is the dense one's. */
static void glm_update_means(struct surv_glm *g, const unsigned char *nzs, double *eta)
{
    int k = g->k;

    for (size_t i = 0; i < g->n; i++) {
        const unsigned char *r = nzs + i * NZ_STRIDE;
        const double *xi = g->x + i * (size_t)k;
        double e = 0.0;

        if (r[0] & GLM_SAME_ROW) {
            eta[i] = eta[i - 1];
            g->mu[i] = g->mu[i - 1];
            continue;
        }
        for (int u = 0; u < r[0]; u++)
            e += xi[r[1 + u]] * g->beta[r[1 + u]];
        eta[i] = e;
        g->mu[i] = glm_mean(e);
    }
}

static size_t glm_positive_weights(const struct surv_glm *g)
{
    size_t n = 0;

    for (size_t i = 0; i < g->n; i++)
        n += glm_prior(g, i) > 0.0;
    return n;
}

int surv_glm_fit(struct surv_glm *g, double *eta)
{
    double xtwx[SURV_GLM_MAX_COLS * SURV_GLM_MAX_COLS];
    double dev, devold, pearson = 0.0;
    size_t n_pos = glm_positive_weights(g);
    unsigned char *nzs;

    if (g->k < 1 || g->k > SURV_GLM_MAX_COLS || n_pos <= (size_t)g->k)
        return -1;
    devold = glm_start(g, eta);
    g->converged = 0;
    nzs = glm_sparse(g);
    for (int iter = 0; iter < GLM_MAX_ITER; iter++) {
        if (glm_wls_step(g, nzs, eta, xtwx) != 0) {
            free(nzs);
            return -1;
        }
        glm_update_means(g, nzs, eta);
        dev = glm_deviance(g);
        if (fabs(dev - devold) / (fabs(dev) + 0.1) < GLM_EPSILON) {
            g->converged = 1;
            break;
        }
        devold = dev;
    }
    free(nzs);
    /* As summary.glm: the covariance from the last step's factor, and the dispersion from
     * that step's working weights with the updated residuals. */
    glm_chol_inverse(xtwx, g->k, g->cov);
    for (size_t i = 0; i < g->n; i++) {
        if (glm_prior(g, i) <= 0.0)
            continue;
        double r = (g->y[i] - g->mu[i]) / g->mu[i];
        pearson += g->wt[i] * r * r;
    }
    g->dispersion = pearson / (double)(n_pos - (size_t)g->k);
    return 0;
}

double surv_glm_xcx(const struct surv_glm *g, const double *x0)
{
    int nz[SURV_GLM_MAX_COLS];
    int m = glm_nonzero(x0, g->k, nz);
    double s = 0.0;

    for (int u = 0; u < m; u++)
        for (int v = 0; v < m; v++)
            s += x0[nz[u]] * g->cov[nz[u] * g->k + nz[v]] * x0[nz[v]];
    return s;
}

void surv_glm_hat(const struct surv_glm *g, double *h)
{
    for (size_t i = 0; i < g->n; i++)
        h[i] = g->wt[i] * surv_glm_xcx(g, g->x + i * (size_t)g->k);
}
