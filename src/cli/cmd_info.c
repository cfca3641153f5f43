/* cmd_info.c - `tsdiff info`: placeholder until the CSV reader lands. */
#include "cli/commands.h"
#include "cli/opts.h"

static const ts_opt info_opts[] = {{0}};
static const ts_cmd_spec info_spec = {"info", "FILE", "describe a CSV or model file", info_opts, 0};

int ts_cmd_info(int argc, char **argv)
{
    ts_error err = {0};
    int first = 0;
    int rc = ts_opts_parse(&info_spec, argc, argv, &first, &err);
    return ts_cmd_exit(rc, &err);
}
