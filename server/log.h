/* SPDX-License-Identifier: MIT
 * log.h - the daemon's log: timestamped lines to the configured targets.
 *
 * Targets come from the `log` section (stderr, stdout, syslog or a file,
 * each with its level); without one, stderr at info. One line is written
 * whole under a mutex, so lines from different threads never mix. Not for
 * the query path.
 */
#pragma once

#include "conf/conf.h"

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARNING, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Lines above `level` are dropped (for the default stderr target). */
void log_set_level(enum log_level level);

/* Switches to the targets of `conf` (its `log` section); a target that
 * cannot be opened is reported and skipped. Main thread. Returns the
 * number of targets in use. */
int log_apply_conf(const conf_t *conf);

/* Closes the configured targets; logging goes back to stderr. */
void log_close(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
