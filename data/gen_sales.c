/* gen_sales.c - writes the example data set data/sales.csv.
 *
 * Daily unit sales of five products of one retailer, in wide format:
 *
 *     date,widgets,gadgets,gizmos,doohickeys,sprockets
 *     2022-01-01,0,0,0,0,0
 *     2022-01-02,311,104,41,17,1
 *
 * Each product's expected sales are a product of factors: a level that
 * grows or shrinks (with a slowly wandering local level), a day-of-week
 * profile, a yearly profile, the shopping calendar (closed on Thanksgiving,
 * Christmas, New Year's Day and Easter Sunday, short days on Christmas Eve and
 * New Year's Eve, Black Friday and Cyber Monday peaks, the Christmas run-up
 * and the January lull after it),
 * and promotions (random multi-day uplifts followed by a small dip, as buyers
 * brought purchases forward). The count itself is negative binomial (a
 * gamma-Poisson mixture) around that expectation. A few cells, and a few whole
 * days (a till-system outage), are left empty.
 *
 * The output must be byte-identical on every machine, so this program draws
 * its own random numbers (splitmix64) and computes exp, log and sin with its
 * own polynomials on +, -, *, / only (IEEE 754 makes those exact, unlike the
 * last bit of a libm's transcendental functions); sqrt is exact too. It is
 * built with -ffp-contract=off so that no compiler fuses a multiply-add.
 *
 * Usage: gen_sales [--seed N] [--days N] OUTPUT   (OUTPUT "-" is stdout)
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if FLT_EVAL_METHOD != 0
#error "gen_sales needs plain double arithmetic (FLT_EVAL_METHOD 0) to be reproducible"
#endif

#define DEFAULT_SEED 20220101u
#define DEFAULT_DAYS 1096            /* 2022-01-01 .. 2024-12-31 */
#define START_YEAR 2022
#define NPRODUCTS 5

/* ---- random numbers ---------------------------------------------------- */

/* splitmix64 (Steele, Lea, Flood 2014): a 64-bit counter through a mixer. */
static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform on (0, 1): 53 random bits, never exactly 0. */
static double rng_uniform(uint64_t *state)
{
    return ((double)(rng_next(state) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* ---- reproducible elementary functions --------------------------------- */

static const double LN2_HI = 6.93147180369123816490e-01; /* exact in 32 bits */
static const double LN2_LO = 1.90821492927058770002e-10;
static const double PI = 3.14159265358979311600e+00;

/* e^x: x = k ln2 + r with |r| <= ln2/2, Taylor series of e^r, times 2^k. */
static double det_exp(double x)
{
    if (x < -700) return 0;
    double k = floor(x / (LN2_HI + LN2_LO) + 0.5);
    double r = (x - k * LN2_HI) - k * LN2_LO;
    double p = 1;
    for (int n = 16; n >= 1; n--) p = 1 + p * r / n;
    return ldexp(p, (int)k);
}

/* log x for x > 0: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
 * log m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m-1)/(m+1). */
static double det_log(double x)
{
    int e;
    double m = frexp(x, &e);
    if (m < 0.70710678118654752440) {
        m *= 2;
        e--;
    }
    double s = (m - 1) / (m + 1), s2 = s * s, p = 0;
    for (int n = 25; n >= 1; n -= 2) p = 1.0 / n + s2 * p;
    return e * LN2_HI + (e * LN2_LO + 2 * s * p);
}

/* sin x: reduce to [-pi/2, pi/2], then the Taylor series. Arguments here are
 * small (a few hundred radians at most), so a plain reduction suffices. */
static double det_sin(double x)
{
    double k = floor(x / (2 * PI) + 0.5);
    double r = x - k * (2 * PI);            /* [-pi, pi] */
    if (r > PI / 2) r = PI - r;
    if (r < -PI / 2) r = -PI - r;
    double r2 = r * r, p = 1;
    for (int n = 23; n >= 3; n -= 2) p = 1 - p * r2 / (n * (n - 1));
    return r * p;
}

static double det_cos(double x) { return det_sin(x + PI / 2); }

/* ---- distributions ----------------------------------------------------- */

/* Standard normal, Marsaglia's polar method. */
static double rng_normal(uint64_t *state)
{
    for (;;) {
        double u = 2 * rng_uniform(state) - 1, v = 2 * rng_uniform(state) - 1;
        double s = u * u + v * v;
        if (s > 0 && s < 1) return u * sqrt(-2 * det_log(s) / s);
    }
}

/* Gamma(shape, 1) for shape >= 1 (Marsaglia and Tsang 2000). */
static double rng_gamma(uint64_t *state, double shape)
{
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = rng_normal(state), v = 1 + c * x;
        if (v <= 0) continue;
        v = v * v * v;
        double u = rng_uniform(state);
        if (det_log(u) < 0.5 * x * x + d - d * v + d * det_log(v)) return d * v;
    }
}

/* Poisson(mean): Knuth's product of uniforms, in pieces of mean <= 16 so that
 * e^-mean stays far from underflow (a sum of Poissons is Poisson). */
static long rng_poisson(uint64_t *state, double mean)
{
    long n = 0;
    while (mean > 0) {
        double piece = mean < 16 ? mean : 16;
        double limit = det_exp(-piece), p = rng_uniform(state);
        while (p > limit) {
            n++;
            p *= rng_uniform(state);
        }
        mean -= piece;
    }
    return n;
}

/* Negative binomial with the given mean and shape k: variance mean + mean^2/k. */
static long rng_negbin(uint64_t *state, double mean, double k)
{
    if (mean <= 0) return 0;
    return rng_poisson(state, mean * rng_gamma(state, k) / k);
}

/* ---- calendar ---------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday). */
static int weekday(long z) { return (int)(((z % 7) + 7 + 3) % 7); }

/* Easter Sunday of year y (the anonymous Gregorian computus). */
static long easter(int y)
{
    int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
    int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return days_from_civil(y, month, day);
}

/* US Thanksgiving: the fourth Thursday of November. */
static long thanksgiving(int y)
{
    long nov1 = days_from_civil(y, 11, 1);
    return nov1 + (3 - weekday(nov1) + 7) % 7 + 21;
}

/* The shopping calendar of one day. */
typedef struct {
    int closed;          /* the shop is shut: no sales */
    double short_day;    /* share of a normal day's opening hours */
    double black_friday; /* 1 on Black Friday, 0.5 on its weekend, else 0 */
    int cyber_monday;
    double xmas;         /* Christmas run-up: 0 before Dec 1, rising to 1 on Dec 23 */
    int boxing_day;      /* Dec 26 sales */
    int holiday_week;    /* Dec 24 .. Dec 31 */
} day_info;

static day_info calendar(long z)
{
    int y, m, d;
    civil_from_days(z, &y, &m, &d);
    day_info c = {0, 1, 0, 0, 0, 0, 0};
    long tg = thanksgiving(y);
    if ((m == 12 && d == 25) || (m == 1 && d == 1) || z == tg || z == easter(y))
        c.closed = 1;
    if (m == 12 && (d == 24 || d == 31)) c.short_day = 0.55;
    if (z == tg + 1) c.black_friday = 1;
    if (z == tg + 2 || z == tg + 3) c.black_friday = 0.35;
    if (z == tg + 4) c.cyber_monday = 1;
    if (m == 12 && d <= 23) c.xmas = (d / 23.0) * (d / 23.0);
    if (m == 12 && d == 26) c.boxing_day = 1;
    if (m == 12 && d >= 24) c.holiday_week = 1;
    return c;
}

/* ---- products ---------------------------------------------------------- */

typedef struct {
    const char *name;
    double level;        /* mean daily sales at the start */
    double growth;       /* trend, log-units per year */
    double week[7];      /* Monday .. Sunday */
    double year_amp;     /* yearly cosine: amplitude and peak day of year */
    double year_peak;
    double gift;         /* Christmas run-up strength (0: none) */
    double black_friday; /* extra multiple on Black Friday */
    double promo_lift;   /* typical promotion uplift */
    double promo_rate;   /* promotions started per year */
    double shape;        /* negative-binomial k: smaller is noisier */
    long relaunch;       /* day (since the start) of a step change, or -1 */
    double relaunch_lift;
} product;

static const product products[NPRODUCTS] = {
    {"widgets", 380, 0.11, {0.86, 0.88, 0.91, 0.97, 1.12, 1.33, 0.93},
     0.10, 350, 0.9, 2.6, 0.45, 7, 40, -1, 1},
    {"gadgets", 115, 0.22, {0.92, 0.90, 0.93, 0.98, 1.06, 1.19, 1.02},
     0.32, 195, 0.4, 1.9, 0.55, 6, 25, -1, 1},
    {"gizmos", 48, -0.12, {0.95, 0.96, 0.97, 1.00, 1.05, 1.10, 0.97},
     0.12, 340, 0.7, 2.2, 0.60, 5, 18, 615, 1.45},
    {"doohickeys", 14, 0.05, {0.80, 0.82, 0.85, 0.92, 1.10, 1.45, 1.06},
     0.25, 240, 0.3, 1.8, 0.50, 4, 12, -1, 1},
    {"sprockets", 5.5, 0.08, {1.20, 1.25, 1.25, 1.22, 1.08, 0.35, 0.15},
     0.08, 120, -0.5, 0.4, 0.35, 3, 9, -1, 1},
};

/* Promotion multipliers for every day: an uplift over 4..10 days, then a dip
 * of 3..5 days as purchases were brought forward. None start between
 * November 10 and New Year: the peak season sells without discounts. */
static void promotions(const product *p, uint64_t *rng, long day0, long ndays,
                       double *mult)
{
    for (long t = 0; t < ndays; t++) mult[t] = 1;
    long t = (long)(rng_uniform(rng) * 30);
    while (t < ndays) {
        int y, m, d;
        civil_from_days(day0 + t, &y, &m, &d);
        if ((m == 11 && d >= 10) || m == 12) {  /* no discounts in peak season */
            t += 7;
            continue;
        }
        long len = 4 + (long)(rng_uniform(rng) * 7);
        double lift = 1 + p->promo_lift * (0.6 + 0.8 * rng_uniform(rng));
        long dip = 3 + (long)(rng_uniform(rng) * 3);
        for (long i = 0; i < len && t + i < ndays; i++) mult[t + i] = lift;
        for (long i = len; i < len + dip && t + i < ndays; i++) mult[t + i] = 0.88;
        /* Gaps between promotions: at least three weeks, exponential beyond. */
        double gap = 365.0 / p->promo_rate;
        t += len + dip + 21 + (long)(-(gap - 21) * det_log(rng_uniform(rng)));
    }
}

/* Expected sales of product p on day t (days since the start). */
static double expected(const product *p, long z, long t, double wander,
                       double promo)
{
    day_info c = calendar(z);
    if (c.closed) return 0;
    int y, m, d;
    civil_from_days(z, &y, &m, &d);
    double years = t / 365.25;
    double doy = (double)(z - days_from_civil(y, 1, 1));
    double mu = p->level * det_exp(p->growth * years + wander);
    if (p->relaunch >= 0 && t >= p->relaunch) mu *= p->relaunch_lift;
    mu *= p->week[weekday(z)];
    mu *= 1 + p->year_amp * det_cos(2 * PI * (doy - p->year_peak) / 365.25);
    mu *= c.short_day;
    mu *= 1 + p->gift * c.xmas;
    if (c.black_friday > 0) mu *= 1 + (p->black_friday - 1) * c.black_friday;
    if (c.cyber_monday) mu *= 1 + 0.4 * (p->black_friday - 1);
    if (c.boxing_day) mu *= 1 + 0.5 * (p->gift > 0 ? p->gift : 0);
    if (p->gift > 0 && doy < 45) mu *= 1 - 0.25 * p->gift * (1 - doy / 45);  /* January lull */
    if (p->gift < 0 && c.holiday_week) mu *= 0.3;  /* trade customers are away */
    return mu * promo;
}

/* Sales of product p over ndays days: counts, or -1 where not recorded. */
static void simulate(const product *p, uint64_t seed, long day0, long ndays,
                     long *out)
{
    uint64_t promo_rng = seed ^ 0x50524F4D4F000000u;  /* one stream per use */
    uint64_t level_rng = seed ^ 0x4C4556454C000000u;
    uint64_t count_rng = seed ^ 0x434F554E54000000u;
    double *promo = malloc((size_t)ndays * sizeof *promo);
    if (!promo) {
        fprintf(stderr, "gen_sales: out of memory\n");
        exit(1);
    }
    promotions(p, &promo_rng, day0, ndays, promo);
    double wander = 0;  /* AR(1) in log space: the local level drifts */
    for (long t = 0; t < ndays; t++) {
        wander = 0.985 * wander + 0.018 * rng_normal(&level_rng);
        out[t] = rng_negbin(&count_rng, expected(p, day0 + t, t, wander, promo[t]),
                            p->shape);
    }
    free(promo);
}

/* Leave some cells empty: three whole days (an outage) and a few single
 * cells. Chosen after the counts, so they do not shift the other draws. */
static void knock_out(uint64_t seed, long ndays, long *sales[NPRODUCTS])
{
    uint64_t rng = seed ^ 0x4D495353494E4700u;
    for (int k = 0; k < 3; k++) {
        long t = (long)(rng_uniform(&rng) * ndays);
        for (int p = 0; p < NPRODUCTS; p++) sales[p][t] = -1;
    }
    for (int k = 0; k < 8; k++) {
        long t = (long)(rng_uniform(&rng) * ndays);
        int p = (int)(rng_uniform(&rng) * NPRODUCTS);
        sales[p][t] = -1;
    }
}

static int write_csv(FILE *f, long day0, long ndays, long *sales[NPRODUCTS])
{
    fputs("date", f);
    for (int p = 0; p < NPRODUCTS; p++) fprintf(f, ",%s", products[p].name);
    fputc('\n', f);
    for (long t = 0; t < ndays; t++) {
        int y, m, d;
        civil_from_days(day0 + t, &y, &m, &d);
        fprintf(f, "%04d-%02d-%02d", y, m, d);
        for (int p = 0; p < NPRODUCTS; p++) {
            if (sales[p][t] < 0) fputc(',', f);
            else fprintf(f, ",%ld", sales[p][t]);
        }
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: gen_sales [--seed N] [--days N] OUTPUT\n"
               "Write the example daily sales of five products from %d-01-01 as CSV\n"
               "(OUTPUT '-' is stdout). Defaults: --seed %u --days %d.\n",
            START_YEAR, DEFAULT_SEED, DEFAULT_DAYS);
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    long seed = DEFAULT_SEED, ndays = DEFAULT_DAYS;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--seed") && i + 1 < argc) {
            if (parse_long(argv[++i], 0, 4294967295L, &seed)) {
                fprintf(stderr, "gen_sales: --seed wants an integer in 0..4294967295\n");
                return 64;
            }
        } else if (!strcmp(a, "--days") && i + 1 < argc) {
            if (parse_long(argv[++i], 1, 100000, &ndays)) {
                fprintf(stderr, "gen_sales: --days wants an integer in 1..100000\n");
                return 64;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "gen_sales: unknown option '%s'\n", a);
            return 64;
        } else if (!path) {
            path = a;
        } else {
            usage(stderr);
            return 64;
        }
    }
    if (!path) {
        usage(stderr);
        return 64;
    }

    int to_stdout = !strcmp(path, "-");
    FILE *f = to_stdout ? stdout : fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gen_sales: cannot create %s: %s\n", path, strerror(errno));
        return 73;
    }

    long day0 = days_from_civil(START_YEAR, 1, 1);
    long *sales[NPRODUCTS];
    for (int p = 0; p < NPRODUCTS; p++) {
        sales[p] = malloc((size_t)ndays * sizeof *sales[p]);
        if (!sales[p]) {
            fprintf(stderr, "gen_sales: out of memory\n");
            return 70;
        }
        uint64_t s = (uint64_t)seed * 0x100000001B3u + (uint64_t)(p + 1) * 0x9E3779B97F4A7C15u;
        simulate(&products[p], s, day0, ndays, sales[p]);
    }
    knock_out((uint64_t)seed, ndays, sales);
    int rc = write_csv(f, day0, ndays, sales);
    if ((to_stdout ? fflush(f) : fclose(f)) != 0) rc = -1;
    for (int p = 0; p < NPRODUCTS; p++) free(sales[p]);
    if (rc) {
        fprintf(stderr, "gen_sales: cannot write %s: %s\n", path, strerror(errno));
        if (!to_stdout) remove(path);
        return 74;
    }
    return 0;
}
