/* SPDX-License-Identifier: MIT
 * ctl.h - the control channel: signetd's UNIX socket and signetc's client.
 *
 * One request per connection. The client sends one line of JSON,
 *	{"cmd":"zone-status","zone":"example.com.","args":{...}}\n
 * and the daemon answers with one line and closes:
 *	{"ok":true,"data":{...}}\n   or   {"ok":false,"error":"message","code":N}\n
 * `code` is the signet error (zone/err.h, negative) that made the request
 * fail, so automation can tell "no such zone" (SN_ENOTFOUND) from a refused
 * request (SN_EINVAL) without parsing the message.
 *
 * The JSON here is RFC 8259, strictly: no comments, no trailing commas, no
 * leading zeros, strings in valid UTF-8 with no raw control characters, \u
 * escapes combined into UTF-8 (surrogate pairs joined, a lone surrogate and
 * \u0000 refused), no duplicate keys in an object, nesting at most
 * CTL_MAX_DEPTH deep. Requests are at most CTL_MAX_REQUEST octets, responses
 * CTL_MAX_RESPONSE; anything else is refused with a message that says where.
 *
 * Commands, what the daemon checks before calling a handler, and the data a
 * handler fills (the client prints whatever is there; members are optional
 * unless the daemon has them):
 *	status			no zone. version (string), uptime (seconds), zones,
 *				workers {udp, tcp}
 *	stop			no zone. answered, then the daemon stops
 *	reload			no zone. answered when the new configuration is applied
 *	zone-status [ZONE]	zones: [{zone, serial, records, load-time (unix
 *				seconds), journal-size (octets), journal-entries,
 *				next-event (text), next-event-time (unix seconds),
 *				rollover (signed zones: the step in progress)}]
 *	zone-reload ZONE	answered when the zone is committed (serial)
 *	zone-flush ZONE		args: out (folder, optional). file (the path written)
 *	zone-add ZONE		args: template, file (both optional). serial
 *	zone-remove ZONE	-
 *	zone-update ZONE	args: changes (lines, server/zupdate.h). serial-before,
 *				serial, removed, added (records)
 *	key-list ZONE		keys: [{tag, role, algorithm, flags, state,
 *				created-time, publish-time, active-time,
 *				retire-time, remove-time, id}]
 *	zone-ds ZONE		args: digest ("2", "4" or "all"; default 2).
 *				ds: [{key-tag, algorithm, digest-type, digest (hex),
 *				state, record (presentation form)}]
 *	key-import ZONE		args: private, public (the texts of BIND's
 *				K*.private and K*.key), role (optional). tag, role,
 *				algorithm, serial
 *	key-generate ZONE	args: role, algorithm (both optional). as key-import
 *	key-export ZONE		keys: [{tag, role, record (DNSKEY, presentation)}]
 *	zone-key-rollover ZONE	args: kind ("zsk", "ksk" or "csk"). rollover
 *				(the step), serial
 *	zone-ksk-submitted ZONE	the new KSK's DS is at the parent. rollover, serial
 *	stats			counters: {name: number...}
 * Every zone a request names is a valid domain name, made absolute (a
 * trailing dot added) and lower-cased before the handler sees it. Arguments
 * other than the ones listed are refused, and so are arguments that are not
 * strings.
 *
 * Names in the data use lower case and dashes; times are unix seconds in
 * members named `*-time`, durations are seconds, sizes octets.
 */
#pragma once

#include "zone/err.h"
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define CTL_MAX_REQUEST (64u * 1024)         /* octets, the newline excluded */
#define CTL_MAX_RESPONSE (64u * 1024 * 1024) /* octets: zone-status of every zone */
#define CTL_MAX_DEPTH 32                     /* nested arrays and objects */
#define CTL_ERRLEN 256
/* How long the daemon waits for a request, and the client for the answer to
 * commands that do not change anything. Changes (reload...) may take longer:
 * the client gives them CTL_CHANGE_TIMEOUT_MS. */
#define CTL_IO_TIMEOUT_MS 5000
#define CTL_CHANGE_TIMEOUT_MS 600000

/*
 * Reading JSON
 */

typedef enum ctl_jtype {
	CTL_JNULL = 0,
	CTL_JBOOL,
	CTL_JNUM,
	CTL_JSTR,
	CTL_JARR,
	CTL_JOBJ,
} ctl_jtype_t;

typedef struct ctl_jdoc ctl_jdoc_t; /* a parsed document: owns its values */
typedef struct ctl_json ctl_json_t; /* one value inside a document */

/* Parses `len` octets of `text` (no NUL needed; NULs inside are refused) as
 * one JSON value, optionally surrounded by whitespace. At most `max_len`
 * octets are accepted (0: CTL_MAX_RESPONSE). On SN_OK *out is owned by the
 * caller (ctl_jdoc_free). Otherwise writes "offset N: what is wrong" to `err`
 * and returns SN_EPARSE (malformed), SN_ERANGE (too long or too deep) or
 * SN_ENOMEM. Any thread; allocates. */
SN_MUSTCHECK int ctl_jdoc_parse(const char *text, size_t len, size_t max_len, ctl_jdoc_t **out,
                                char err[CTL_ERRLEN]);

void ctl_jdoc_free(ctl_jdoc_t *doc); /* NULL is fine */

/* The top value. Values stay valid until ctl_jdoc_free. */
const ctl_json_t *ctl_jdoc_root(const ctl_jdoc_t *doc);

ctl_jtype_t ctl_json_type(const ctl_json_t *v);

/* Members of an object and elements of an array, in document order:
 *	for (const ctl_json_t *m = ctl_json_first(v); m; m = ctl_json_next(m))
 * ctl_json_first is NULL for an empty container and for scalars. */
const ctl_json_t *ctl_json_first(const ctl_json_t *v);
const ctl_json_t *ctl_json_next(const ctl_json_t *v);
size_t ctl_json_count(const ctl_json_t *v); /* members or elements; 0 for scalars */

/* The key of an object's member (decoded, NUL-terminated), NULL otherwise. */
const char *ctl_json_key(const ctl_json_t *v);

/* The member of object `obj` named `key`, or NULL (also when `obj` is NULL
 * or not an object). */
const ctl_json_t *ctl_json_get(const ctl_json_t *obj, const char *key);

/* A string's decoded UTF-8 (NUL-terminated; it holds no NUL), or NULL when
 * `v` is not a string. `len` may be NULL. */
const char *ctl_json_str(const ctl_json_t *v, size_t *len);

/* A number as written in the document (for printing it back exactly). */
const char *ctl_json_num_text(const ctl_json_t *v);

/* Values of numbers and booleans. Return SN_OK, SN_EINVAL when `v` is not of
 * that type (for the integers: a number with a fraction or an exponent), or
 * SN_ERANGE when it does not fit. */
SN_MUSTCHECK int ctl_json_int(const ctl_json_t *v, int64_t *out);
SN_MUSTCHECK int ctl_json_uint(const ctl_json_t *v, uint64_t *out);
SN_MUSTCHECK int ctl_json_double(const ctl_json_t *v, double *out);
SN_MUSTCHECK int ctl_json_bool(const ctl_json_t *v, bool *out);

/* Writes `v` as JSON to `f`: on one line when `indent` is 0, else spread over
 * lines with `indent` spaces a level. Strings are escaped as the writer below
 * does, numbers copied as written. Returns SN_OK or SN_EIO. */
SN_MUSTCHECK int ctl_json_write(FILE *f, const ctl_json_t *v, unsigned indent);

/*
 * Requests
 */

typedef struct ctl_req ctl_req_t; /* a checked request */

/* Parses and checks one request line (the newline excluded): a JSON object
 * with a known `cmd`, a `zone` where the command takes one, and `args` the
 * command knows. On SN_OK *out is owned by the caller (ctl_req_free).
 * Otherwise writes a message to `err` and returns SN_EPARSE (malformed, or
 * not a request), SN_ERANGE (over the limits), SN_ENOTSUP (unknown command),
 * SN_EINVAL (a zone or argument that does not fit the command) or SN_ENOMEM.
 * Any thread. */
SN_MUSTCHECK int ctl_req_parse(const char *text, size_t len, ctl_req_t **out, char err[CTL_ERRLEN]);

void ctl_req_free(ctl_req_t *req); /* NULL is fine */

/* "status", "zone-status"... as sent. */
const char *ctl_req_cmd(const ctl_req_t *req);

/* The zone named, as text: absolute, lower case ("example.com."); NULL if the
 * request names none. */
const char *ctl_req_zone(const ctl_req_t *req);

/* The same in wire form (zone/dname.h), lower case; NULL if none. */
const uint8_t *ctl_req_apex(const ctl_req_t *req);

/* A string argument, or NULL when it was not given. Arguments were checked
 * against the command by ctl_req_parse. */
const char *ctl_req_arg(const ctl_req_t *req, const char *key);

/* Formats a request line (with its newline) into a new string *out (free()
 * it), its length in *len. `zone` may be NULL; `keys` and `values` hold
 * `nargs` string arguments. Does not check the command: the daemon does.
 * Returns SN_OK, SN_ERANGE (over CTL_MAX_REQUEST) or SN_ENOMEM. */
SN_MUSTCHECK int ctl_req_format(const char *cmd, const char *zone, const char *const *keys,
                                const char *const *values, size_t nargs, char **out, size_t *len);

/*
 * Responses: a JSON builder for the handlers
 */

typedef struct ctl_resp ctl_resp_t;

/* A response under construction: {"ok":true,"data":{ ... what is added }}.
 * On SN_OK *out is owned by the caller (ctl_resp_free). Any thread. */
SN_MUSTCHECK int ctl_resp_new(ctl_resp_t **out);
void ctl_resp_free(ctl_resp_t *r); /* NULL is fine */

/* Add a value to the innermost open object (with `key`) or array (`key`
 * NULL). The first failure sticks and later calls do nothing: a key where
 * there must be none or the other way round (SN_EINVAL), a string that is
 * not valid UTF-8 or holds a NUL (SN_EINVAL), a response past
 * CTL_MAX_RESPONSE (SN_ERANGE), no memory. The response then reports the
 * failure instead of the data. Keys are not checked for duplicates: a
 * handler writes each once. Non-finite doubles are written as null. */
void ctl_resp_str(ctl_resp_t *r, const char *key, const char *s);
void ctl_resp_strn(ctl_resp_t *r, const char *key, const char *s, size_t len);
void ctl_resp_strf(ctl_resp_t *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ctl_resp_int(ctl_resp_t *r, const char *key, int64_t v);
void ctl_resp_uint(ctl_resp_t *r, const char *key, uint64_t v);
void ctl_resp_double(ctl_resp_t *r, const char *key, double v);
void ctl_resp_bool(ctl_resp_t *r, const char *key, bool v);
void ctl_resp_null(ctl_resp_t *r, const char *key);
void ctl_resp_obj_begin(ctl_resp_t *r, const char *key);
void ctl_resp_obj_end(ctl_resp_t *r);
void ctl_resp_arr_begin(ctl_resp_t *r, const char *key);
void ctl_resp_arr_end(ctl_resp_t *r);

/* Makes the response a failure: {"ok":false,"error":MESSAGE,"code":code}.
 * `code` is a negative sn_err (anything else is sent as SN_EINVAL). The data added before or after
 * is dropped. The first call wins. */
void ctl_resp_error(ctl_resp_t *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The first failure of the builder (SN_OK if none); an error set with
 * ctl_resp_error is not a builder failure. */
int ctl_resp_status(const ctl_resp_t *r);

/* Closes what is open and gives the response line (with its newline), valid
 * until the next call on `r`. A builder failure turns it into an error
 * response. Returns SN_OK, or SN_ENOMEM when not even that could be made. */
SN_MUSTCHECK int ctl_resp_text(ctl_resp_t *r, const char **text, size_t *len);

/*
 * The daemon's side
 */

/* A command's handler. Runs on the control thread, one request at a time,
 * and may block until its change is committed: the answer says it is done.
 * Fills `resp` (data, or ctl_resp_error) and returns SN_OK, or a negative
 * sn_err: the response then says sn_strerror(rc) unless the handler set an
 * error itself. `req` is borrowed until the handler returns. */
typedef int (*ctl_handler_fn)(void *ctx, const ctl_req_t *req, ctl_resp_t *resp);

/* One handler per command; NULL means the daemon does not offer it (the
 * request is answered with SN_ENOTSUP). */
typedef struct ctl_handlers {
	ctl_handler_fn status;
	ctl_handler_fn stop;
	ctl_handler_fn reload;
	ctl_handler_fn zone_status;
	ctl_handler_fn zone_reload;
	ctl_handler_fn zone_flush;
	ctl_handler_fn zone_add;
	ctl_handler_fn zone_remove;
	ctl_handler_fn stats;
	ctl_handler_fn zone_update;
	ctl_handler_fn key_list;
	ctl_handler_fn zone_ds;
	ctl_handler_fn key_import;
	ctl_handler_fn key_generate;
	ctl_handler_fn key_export;
	ctl_handler_fn zone_key_rollover;
	ctl_handler_fn zone_ksk_submitted;
} ctl_handlers_t;

typedef struct ctl_server ctl_server_t;

/* Listens on the UNIX socket `path` with permission bits `mode` (0600: the
 * daemon's user only). The socket is created with those bits from the start
 * (a umask around bind, then chmod), never wider. If `path` exists: a socket
 * that another process still listens on makes this fail with SN_EEXIST (a
 * second daemon on the same storage); a socket nobody listens on is stale
 * and removed; anything else (a file) is left alone and SN_EEXIST returned.
 * `h` is copied; `ctx` is given to every handler. On SN_OK *out is owned by
 * the caller (ctl_server_free). Returns SN_ERANGE (path too long for a
 * socket), SN_EEXIST, SN_EIO (logged with the reason) or SN_ENOMEM.
 * Main thread, before the control thread starts: it sets the umask for a
 * moment. */
SN_MUSTCHECK int ctl_server_new(const char *path, mode_t mode, const ctl_handlers_t *h, void *ctx,
                                ctl_server_t **out);

/* Serves requests one at a time until `*stop` is set; looks at it at least
 * every 200 ms, and a request in progress is finished first. A client gets
 * CTL_IO_TIMEOUT_MS to send its request and to read the answer. Run it on
 * a thread of its own (the control thread). */
void ctl_server_run(ctl_server_t *srv, atomic_bool *stop);

/* Serves one connection if one is waiting or arrives within `timeout_ms`.
 * Returns true if one was served. The loop of ctl_server_run; for tests and
 * for a daemon that polls the socket itself. Control thread only. */
bool ctl_server_serve_one(ctl_server_t *srv, int timeout_ms);

/* The listening socket, for a daemon that polls it itself. */
int ctl_server_fd(const ctl_server_t *srv);

/* Closes the socket and removes its file if it is still the one we made.
 * After the control thread returned. NULL is fine. */
void ctl_server_free(ctl_server_t *srv);

/*
 * The client's side
 */

/* Sends `req` (`len` octets, one line) to the daemon at `path` and reads its
 * one-line answer, within `timeout_ms` in all. On SN_OK *out is the parsed
 * answer (ctl_jdoc_free), checked to be a response: an object with a
 * boolean `ok`, an object `data` when ok, a string `error` and a number
 * `code` otherwise. Otherwise writes a message to `err` and returns SN_EIO
 * (cannot connect: the message names `path` and asks whether signetd runs;
 * or the connection failed or timed out), SN_EPARSE (an answer that is not
 * a response) or SN_ENOMEM. Any thread; blocks. */
SN_MUSTCHECK int ctl_call(const char *path, const char *req, size_t len, int timeout_ms,
                          ctl_jdoc_t **out, char err[CTL_ERRLEN]);
