/* fuzz_model.c - a libFuzzer target for the model-file reader (io/modelfile
 * and model/model_file.c): any file must load into a model that tsdiff can describe
 * and that holds as many weights as its network needs, or fail with one
 * error line, and never crash, leak or hit undefined behaviour.
 *
 * The input is a model file without its last 4 bytes, the CRC-32 of the
 * rest: the target appends the right one, so that mutations reach the
 * records instead of stopping at the checksum (which model files keep to
 * catch damage on disk, not to be fooled by).
 */
#define _GNU_SOURCE 1
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/crc32.h"
#include "model/model.h"
#include "nn/params.h"
#include "nn/unet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz.model", 0);
    if (fd < 0) abort();
    uint32_t crc = ts_crc32(data, size);
    unsigned char trailer[4] = {(unsigned char)crc, (unsigned char)(crc >> 8),
                                (unsigned char)(crc >> 16), (unsigned char)(crc >> 24)};
    if ((size && write(fd, data, size) != (ssize_t)size) || write(fd, trailer, 4) != 4) abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ts_model m;
    ts_error err = {0};
    if (ts_model_load(path, &m, &err) == 0) {
        FILE *devnull = fopen("/dev/null", "w");
        if (!devnull) abort();
        ts_model_describe(&m, path, devnull);
        fclose(devnull);
        assert(m.net.ema != NULL && m.net.n_params > 0);
        ts_model_free(&m);
    } else {
        assert(err.msg[0] != '\0');
        assert(strchr(err.msg, '\n') == NULL);
    }
    close(fd);
    return 0;
}
