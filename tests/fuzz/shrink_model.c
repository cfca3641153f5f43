/* shrink_model.c - seeds for fuzz_model.c: a model file rewritten with only
 * its first 8 weights (and optimizer values), so that the fuzzer's
 * mutations land on the records that describe the model rather than on
 * megabytes of floats. The loader accepts such a file; forecast refuses it
 * (the network needs more weights), which is not what is fuzzed here.
 * With --net-only, OUT holds the network part alone (no fit record).
 *
 * Usage: shrink_model [--net-only] IN.model OUT.model */
#include <stdio.h>
#include <string.h>

#include "model/model.h"

int main(int argc, char **argv)
{
    ts_model m;
    ts_error err = {0};
    int net_only = argc == 4 && !strcmp(argv[1], "--net-only");
    argv += net_only;
    if (argc - net_only != 3) {
        fprintf(stderr, "usage: shrink_model [--net-only] IN OUT\n");
        return 64;
    }
    if (ts_model_load(argv[1], &m, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 65;
    }
    if (m.net.n_params > 8) m.net.n_params = 8;
    int rc = ts_model_save(&m, argv[2], net_only ? TS_SAVE_NET : TS_SAVE_RESUMABLE, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    ts_model_free(&m);
    return rc ? 73 : 0;
}
