/* fault.c - the TSDIFF_FAULT test hook: count calls per operation and say
 * which one fails. */
#include "io/fault.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/error.h"

static const char *const ops[] = {"create", "write", "fsync", "rename"};
#define NOPS (int)(sizeof ops / sizeof ops[0])

#define INJECT_INTERNAL (-1000)

static const struct { const char *name; int code; } errs[] = {
    {"ENOSPC", ENOSPC}, {"EIO", EIO}, {"EACCES", EACCES}, {"EROFS", EROFS}, {"EDQUOT", EDQUOT},
    {"SIGINT", -SIGINT}, {"SIGTERM", -SIGTERM},   /* raise it there, then go on */
    {"INTERNAL", INJECT_INTERNAL},                 /* an internal fault there */
};

static long calls[NOPS];

static int op_index(const char *op, size_t len)
{
    for (int i = 0; i < NOPS; i++)
        if (strlen(ops[i]) == len && strncmp(ops[i], op, len) == 0) return i;
    return -1;
}

static int err_code(const char *name, size_t len)
{
    if (len == 0) return EIO;
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
        if (strlen(errs[i].name) == len && strncmp(errs[i].name, name, len) == 0)
            return errs[i].code;
    return 0;
}

/* Does one rule "OP:N[:ERR]" (len bytes at r) fire for call n of op k? */
static int rule_fires(const char *r, size_t len, int k, long n)
{
    const char *c1 = memchr(r, ':', len);
    if (!c1) ts_die_internal(__FILE__, __LINE__, "TSDIFF_FAULT: want OP:N[:ERR]");
    int op = op_index(r, (size_t)(c1 - r));
    char *end;
    long want = strtol(c1 + 1, &end, 10);
    size_t rest = len - (size_t)(end - r);
    const char *ename = rest ? end + 1 : end;
    int code = err_code(ename, rest ? rest - 1 : 0);
    if (op < 0 || want < 1 || (rest && *end != ':') || !code)
        ts_die_internal(__FILE__, __LINE__, "TSDIFF_FAULT: want OP:N[:ERR] with a known OP and ERR");
    return op == k && want == n ? code : 0;
}

int ts_fault(const char *op)
{
    const char *spec = getenv("TSDIFF_FAULT");
    if (!spec || !*spec) return 0;
    int k = op_index(op, strlen(op));
    TS_CHECK(k >= 0);
    long n = ++calls[k];
    for (const char *r = spec; *r;) {
        size_t len = strcspn(r, ",");
        int code = rule_fires(r, len, k, n);
        if (code == INJECT_INTERNAL) ts_die_internal(__FILE__, __LINE__, "TSDIFF_FAULT: injected");
        if (code < 0) {
            raise(-code);
            return 0;
        }
        if (code) return code;
        r += len;
        if (*r == ',') r++;
    }
    return 0;
}
