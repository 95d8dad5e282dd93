/* SPDX-License-Identifier: MIT */
/* Only in AddressSanitizer builds (meson.build: b_sanitize with address).
 *
 * Replay runs under umockdev's preload, which comes before the sanitizer
 * in the order symbols are looked up and wraps fclose(): its wrapper calls
 * the C library's fclose() it looked up itself, so the sanitizer never sees
 * a stream closed.  The sanitizer keeps a table of the streams
 * open_memstream() made, by address; a closed one stays in it, and when a
 * later stream gets the same address (once the freed memory leaves the
 * sanitizer's quarantine: in a replay slot's child after some scenarios)
 * the run aborts with "CHECK failed: sanitizer_common_interceptors.inc:352
 * ((h.created())) != (0)".  A definition in the program comes before both:
 * every fclose() of the process goes to the sanitizer's, which closes the
 * stream with the C library's.  umockdev's wrapper only ends its ioctl
 * emulation and recording of a device node's descriptor, which replay does
 * not use. */
#include <stdio.h>

int __interceptor_fclose(FILE *stream);

int fclose(FILE *stream) {
        return __interceptor_fclose(stream);
}
