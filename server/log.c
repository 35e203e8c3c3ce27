/* SPDX-License-Identifier: MIT
 * log.c - timestamped log lines to stderr, stdout, syslog or files.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include "server/log.h"

#define MAX_TARGETS 8

typedef struct target {
	enum conf_log_kind kind;
	FILE *f;   /* stderr, stdout or an opened file */
	int level; /* lines above it are dropped; -1: none */
} target_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static target_t targets[MAX_TARGETS] = {{.kind = CONF_LOG_STDERR, .level = LOG_LVL_INFO}};
static size_t ntargets = 1;
static bool syslog_open;

void
log_set_level(enum log_level level)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < ntargets; i++) {
		if (targets[i].kind == CONF_LOG_STDERR) {
			targets[i].level = level;
		}
	}
	pthread_mutex_unlock(&lock);
}

/* The most verbose of a target's categories, in our levels. */
static int
level_of(const conf_log_t *l)
{
	enum conf_log_level m = l->any;
	if (l->server > m) {
		m = l->server;
	}
	if (l->zone > m) {
		m = l->zone;
	}
	if (l->control > m) {
		m = l->control;
	}
	switch (m) {
	case CONF_LOG_NONE:
		return -1;
	case CONF_LOG_CRITICAL:
	case CONF_LOG_ERROR:
		return LOG_LVL_ERROR;
	case CONF_LOG_WARNING:
		return LOG_LVL_WARNING;
	case CONF_LOG_NOTICE:
	case CONF_LOG_INFO:
		return LOG_LVL_INFO;
	case CONF_LOG_DEBUG:
		return LOG_LVL_DEBUG;
	}
	return LOG_LVL_INFO;
}

static void
close_targets(void)
{
	for (size_t i = 0; i < ntargets; i++) {
		if (targets[i].kind == CONF_LOG_FILE && targets[i].f != NULL) {
			fclose(targets[i].f);
		}
	}
	if (syslog_open) {
		closelog();
		syslog_open = false;
	}
}

int
log_apply_conf(const conf_t *conf)
{
	target_t next[MAX_TARGETS];
	size_t n = 0;
	for (size_t i = 0; i < conf->log_count && n < MAX_TARGETS; i++) {
		const conf_log_t *l = &conf->logs[i];
		target_t t = {.kind = l->kind, .level = level_of(l)};
		if (l->kind == CONF_LOG_STDERR) {
			t.f = stderr;
		} else if (l->kind == CONF_LOG_STDOUT) {
			t.f = stdout;
		} else if (l->kind == CONF_LOG_FILE) {
			t.f = fopen(l->target, "a");
			if (t.f == NULL) {
				log_error("log: cannot open %s: %s", l->target, strerror(errno));
				continue;
			}
			setvbuf(t.f, NULL, _IOLBF, 0);
		}
		next[n++] = t;
	}
	if (n == 0) {
		return (int)ntargets; /* nothing usable: keep what we have */
	}
	pthread_mutex_lock(&lock);
	close_targets();
	memcpy(targets, next, n * sizeof(next[0]));
	ntargets = n;
	for (size_t i = 0; i < n; i++) {
		if (targets[i].kind == CONF_LOG_SYSLOG && !syslog_open) {
			openlog("signetd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
			syslog_open = true;
		}
	}
	pthread_mutex_unlock(&lock);
	return (int)n;
}

void
log_close(void)
{
	pthread_mutex_lock(&lock);
	close_targets();
	targets[0] = (target_t){.kind = CONF_LOG_STDERR, .f = stderr, .level = LOG_LVL_INFO};
	ntargets = 1;
	pthread_mutex_unlock(&lock);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	char line[1024];
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < ntargets; i++) {
		const target_t *t = &targets[i];
		if ((int)level > t->level) {
			continue;
		}
		if (t->kind == CONF_LOG_SYSLOG) {
			syslog(prio[level], "%s", line);
		} else {
			FILE *f = t->f != NULL ? t->f : stderr;
			fprintf(f, "%s.%03ldZ %s: %s\n", stamp, ts.tv_nsec / 1000000, names[level],
				line);
		}
	}
	pthread_mutex_unlock(&lock);
}
