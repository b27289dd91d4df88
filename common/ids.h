/*
 * Identifiers and timestamps in the forms OpenStack shows: uuid4 strings, "req-<uuid>" request
 * ids, short ids, and Python-isoformat UTC timestamps ("2023-01-02T03:04:05+00:00", with
 * ".ffffff" only when there are microseconds).
 */
#ifndef MC_IDS_H
#define MC_IDS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define UUID_STR_LEN 37 /* 36 chars + NUL */

/* A random (version 4) uuid, lower case with hyphens. */
void uuid_generate_str(char out[UUID_STR_LEN]);
/* "req-<uuid4>" */
void request_id_generate(char out[UUID_STR_LEN + 4]);
/* oslo's is_uuid_like: 32 hex digits, optionally in the hyphenated 8-4-4-4-12 form,
 * any case. */
bool uuid_is_like(const char *s);
/* Normalises a uuid-like string to lower-case hyphenated form; -EINVAL if not uuid-like. */
int uuid_normalize(const char *s, char out[UUID_STR_LEN]);
/* Random lower-case hex string of n chars into out (n+1 bytes). */
void random_hex(char *out, size_t n);
/* Fills buf with n cryptographically random bytes (GnuTLS nonce quality is not enough
 * for keys; this uses getrandom()). Aborts on failure. */
void random_bytes(void *buf, size_t n);

/* Microseconds since the epoch, wall clock. */
int64_t time_now_us(void);
/* Monotonic milliseconds. */
int64_t time_mono_ms(void);
/* Formats a wall-clock time in microseconds as Python's isoformat of a UTC-aware datetime.
 * out must hold 33 bytes. */
void time_format_iso(int64_t us, char out[33]);
/* Parses "YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+00:00]" (and PostgreSQL's "YYYY-MM-DD HH:MM:SS[.f]")
 * as UTC; -EINVAL if malformed. */
int time_parse_iso(const char *s, int64_t *ret_us);

#endif
