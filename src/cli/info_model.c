/* info_model.c - `tsdiff info MODEL`: what a model file holds. */
#include <stdio.h>

#include "cli/commands.h"
#include "model/model.h"
#include "io/modelfile.h"

int ts_info_model(FILE *in, const char *path, int raw, ts_error *err)
{
    ts_mf *f = NULL;
    int rc = ts_mf_read(in, path, &f, err);
    if (rc) return rc;
    if (raw) {  /* --csv on a model: every record, as the file stores it */
        ts_mf_dump(f, stdout);
        ts_mf_free(f);
        return 0;
    }
    ts_model m;
    rc = ts_model_from_mf(f, path, &m, err);
    if (rc) return rc;
    ts_model_describe(&m, path, stdout);
    ts_model_free(&m);
    return 0;
}
