/* selfdir.c - the build tree of the running program (selfdir.h). */
#define _DEFAULT_SOURCE 1   /* readlink */
#include "io/selfdir.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int ts_build_tree_dir(char *dir, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return 0;
    *slash = '\0';                               /* the program's directory */
    char marker[PATH_MAX + 32];
    snprintf(marker, sizeof marker, "%s/../config.status", exe);
    if (access(marker, R_OK) != 0) return 0;
    int len = snprintf(dir, size, "%s/..", exe);
    return len > 0 && (size_t)len < size;
}
