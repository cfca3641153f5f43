/* crc32.h - CRC-32 (IEEE 802.3: reflected, polynomial 0xEDB88320, initial
 * value and final xor 0xFFFFFFFF), the checksum of the model file.
 *
 * Incremental use, as with zlib's crc32():
 *     uint32_t c = 0;
 *     c = ts_crc32_update(c, part1, n1);
 *     c = ts_crc32_update(c, part2, n2);   // == ts_crc32(part1 || part2)
 */
#ifndef TS_CRC32_H
#define TS_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continue the CRC `crc` (0 to start) over n bytes of buf. */
uint32_t ts_crc32_update(uint32_t crc, const void *buf, size_t n);

/* CRC-32 of one buffer; ts_crc32("123456789", 9) == 0xCBF43926. */
uint32_t ts_crc32(const void *buf, size_t n);

#endif
