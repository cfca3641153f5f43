/* check_progress.c - the progress bar: its line, silence when stderr is not
 * a terminal or when quiet, and drawing on a pseudo-terminal. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/progress.h"
#include "testutil.h"

START_TEST(test_line_fields)
{
    char buf[256];
    ts_progress_line(buf, sizeof buf, "fit", 250, 1000, 10.0, "loss 0.123", 120);
    ck_assert_ptr_nonnull(strstr(buf, "fit 250/1000 ["));
    ck_assert_ptr_nonnull(strstr(buf, "]  25%"));
    ck_assert_ptr_nonnull(strstr(buf, "loss 0.123"));
    ck_assert_ptr_nonnull(strstr(buf, "25.0 it/s"));
    ck_assert_ptr_nonnull(strstr(buf, "ETA 0:30"));  /* 750 steps at 25/s */
    ck_assert_int_lt((int)strlen(buf), 120);
    /* A quarter of the bar is filled. */
    const char *open = strchr(buf, '['), *close = strchr(buf, ']');
    int w = (int)(close - open - 1), fill = 0;
    for (const char *c = open + 1; c < close; c++) fill += *c == '#';
    ck_assert_int_ge(w, 10);
    ck_assert_int_eq(fill, w / 4);
}
END_TEST

START_TEST(test_line_edges)
{
    char buf[256];
    /* Slow loops show seconds per step, long ETAs hours. */
    ts_progress_line(buf, sizeof buf, "backtest", 1, 10000, 2.0, NULL, 120);
    ck_assert_ptr_nonnull(strstr(buf, "2.0 s/it"));
    ck_assert_ptr_nonnull(strstr(buf, "ETA 5:33:18"));
    /* Nothing done yet: no rate, no ETA. */
    ts_progress_line(buf, sizeof buf, "fit", 0, 100, 0.0, "", 120);
    ck_assert_ptr_nonnull(strstr(buf, "ETA --:--"));
    ck_assert_ptr_nonnull(strstr(buf, "  0%"));
    /* Unknown total: count and rate only. */
    ts_progress_line(buf, sizeof buf, "sample", 42, 0, 2.0, NULL, 120);
    ck_assert_ptr_null(strstr(buf, "ETA"));
    ck_assert_ptr_null(strchr(buf, '['));
    ck_assert_ptr_nonnull(strstr(buf, "sample 42"));
    ck_assert_ptr_nonnull(strstr(buf, "21.0 it/s"));
    /* Done: a full bar. */
    ts_progress_line(buf, sizeof buf, "fit", 100, 100, 4.0, NULL, 80);
    ck_assert_ptr_nonnull(strstr(buf, "#] 100%"));
    ck_assert_ptr_null(strstr(buf, "[."));
    ck_assert_ptr_null(strstr(buf, ".]"));
    /* Narrow terminals: cut to width - 1 columns; the bar goes first. */
    ts_progress_line(buf, sizeof buf, "fit", 5, 100, 1.0,
                     "loss 0.123456 val 0.654321 lr 0.0003", 40);
    ck_assert_int_eq((int)strlen(buf), 39);
    ck_assert_ptr_null(strchr(buf, '['));
    ck_assert_ptr_nonnull(strstr(buf, "fit 5/100   5%"));
}
END_TEST

/* Run a short progress session with stderr on fd; returns nothing. */
static void run_session(int fd, int quiet)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
    ts_progress *p = ts_progress_start("fit", 50, quiet);
    for (long i = 1; i <= 50; i++) ts_progress_update(p, i, "loss %.3f", 1.0 / i);
    ts_progress_finish(p, "done in %d steps", 50);
    ts_progress_finish(NULL, NULL);
    ts_progress_update(NULL, 1, NULL);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

START_TEST(test_silent_when_not_a_tty)
{
    char path[] = "/tmp/check_progress.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    run_session(fd, 0);
    ck_assert_int_eq((int)lseek(fd, 0, SEEK_END), 0);
    close(fd);
}
END_TEST

/* Open a pseudo-terminal; returns the master fd and puts the slave's in *slave. */
static int open_pty(int *slave)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0) return -1;
    if (grantpt(master) || unlockpt(master)) {
        close(master);
        return -1;
    }
    *slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    if (*slave < 0) {
        close(master);
        return -1;
    }
    fcntl(master, F_SETFL, O_NONBLOCK);
    return master;
}

static size_t drain(int master, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t r;
    while (n + 1 < size && (r = read(master, buf + n, size - 1 - n)) > 0) n += (size_t)r;
    buf[n] = '\0';
    return n;
}

START_TEST(test_draws_on_a_tty)
{
    int slave, master = open_pty(&slave);
    if (master < 0) return;  /* no pseudo-terminals here: nothing to check */
    char out[8192];
    run_session(slave, 0);
    drain(master, out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "\rfit 1/50"));   /* the first update */
    ck_assert_ptr_nonnull(strstr(out, "fit 50/50"));    /* the last one */
    ck_assert_ptr_nonnull(strstr(out, "loss 0.020"));
    ck_assert_ptr_nonnull(strstr(out, "\r\033[Kfit: done in 50 steps"));
    /* Redraws are rate-limited: far fewer than 50. */
    int draws = 0;
    for (const char *c = out; (c = strstr(c, "\rfit ")) != NULL; c++) draws++;
    ck_assert_int_le(draws, 10);

    run_session(slave, 1);  /* quiet: silent even on a terminal */
    ck_assert_int_eq((int)drain(master, out, sizeof out), 0);
    close(slave);
    close(master);
}
END_TEST

int main(void)
{
    return tu_run(TU_SUITE("progress",
        test_line_fields, test_line_edges, test_silent_when_not_a_tty, test_draws_on_a_tty));
}
