/* selfdir.h - where the running program lives: the build tree it was built
 * in, when it runs uninstalled (for the CUDA module and the default model). */
#ifndef TS_SELFDIR_H
#define TS_SELFDIR_H

#include <stddef.h>

/* The top of the build tree of the running program (dirname of
 * /proc/self/exe, then ".."), when that directory holds config.status (a
 * configured build tree): writes it to dir and returns 1; else 0. */
int ts_build_tree_dir(char *dir, size_t size);

#endif
