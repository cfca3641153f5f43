/* info_model.c - `tsdiff info MODEL`: what a model file holds. */
#include <stdio.h>

#include "cli/commands.h"
#include "io/model.h"
#include "io/modelfile.h"

int ts_info_model(const char *path, int raw, ts_error *err)
{
    if (raw) {  /* --csv on a model: every record, as the file stores it */
        ts_mf *f = NULL;
        int rc = ts_mf_load(path, &f, err);
        if (!rc) ts_mf_dump(f, stdout);
        ts_mf_free(f);
        return rc;
    }
    ts_model m;
    int rc = ts_model_load(path, &m, err);
    if (rc) return rc;
    ts_model_describe(&m, path, stdout);
    ts_model_free(&m);
    return 0;
}
