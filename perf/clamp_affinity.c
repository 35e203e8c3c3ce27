/* SPDX-License-Identifier: MIT
 * clamp_affinity.c - LD_PRELOAD object that keeps a server on given CPUs.
 *
 * Some servers (knotd) pin each worker thread to a core of their choosing,
 * which undoes `taskset`; on a shared machine the benchmark would then
 * compare servers that ran on different numbers of cores. This object
 * replaces sched_setaffinity, pthread_setaffinity_np and
 * pthread_attr_setaffinity_np: the set asked for is intersected with the
 * CPUs listed in SN_CLAMP_CPUS (a cpulist such as "0" or "0-1,3"), and
 * when nothing is left the SN_CLAMP_CPUS set itself is used. Without the
 * variable every call passes through unchanged.
 *
 * Build: cc -shared -fPIC -O2 -o clamp_affinity.so clamp_affinity.c -ldl
 * Use:   SN_CLAMP_CPUS=0 LD_PRELOAD=./clamp_affinity.so taskset -c 0 knotd ...
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* cpu_set_t, RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses a cpulist into `set`. Returns false when the variable is unset or
 * malformed (then the calls are left alone). */
static bool
clamp_set(cpu_set_t *set)
{
	const char *s = getenv("SN_CLAMP_CPUS");
	if (s == NULL || *s == '\0') {
		return false;
	}
	CPU_ZERO(set);
	while (*s != '\0') {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b;
		if (end == s) {
			return false;
		}
		b = a;
		s = end;
		if (*s == '-') {
			b = strtoul(s + 1, &end, 10);
			if (end == s + 1 || b < a) {
				return false;
			}
			s = end;
		}
		for (unsigned long c = a; c <= b && c < CPU_SETSIZE; c++) {
			CPU_SET(c, set);
		}
		if (*s == ',') {
			s++;
		} else if (*s != '\0') {
			return false;
		}
	}
	return CPU_COUNT(set) > 0;
}

/* Writes into `out` (size `size`) the clamped version of `in`. Returns the
 * pointer to pass on: `in` itself when there is nothing to clamp. */
static const cpu_set_t *
clamp(size_t size, const cpu_set_t *in, cpu_set_t *out)
{
	cpu_set_t allow;
	if (!clamp_set(&allow) || size > sizeof(cpu_set_t) || in == NULL) {
		return in;
	}
	memset(out, 0, sizeof(*out));
	CPU_AND_S(size, out, in, &allow);
	if (CPU_COUNT_S(size, out) == 0) {
		memcpy(out, &allow, size);
	}
	if (getenv("SN_CLAMP_DEBUG") != NULL) {
		fprintf(stderr, "clamp_affinity: %d CPUs asked, %d given\n", CPU_COUNT_S(size, in),
			CPU_COUNT_S(size, out));
	}
	return out;
}

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *mask);
int
sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *mask)
{
	static int (*real)(pid_t, size_t, const cpu_set_t *);
	if (real == NULL) {
		real = (int (*)(pid_t, size_t, const cpu_set_t *))dlsym(RTLD_NEXT,
									  "sched_setaffinity");
	}
	cpu_set_t c;
	return real(pid, size, clamp(size, mask, &c));
}

int pthread_setaffinity_np(pthread_t t, size_t size, const cpu_set_t *mask);
int
pthread_setaffinity_np(pthread_t t, size_t size, const cpu_set_t *mask)
{
	static int (*real)(pthread_t, size_t, const cpu_set_t *);
	if (real == NULL) {
		real = (int (*)(pthread_t, size_t, const cpu_set_t *))dlsym(
			RTLD_NEXT, "pthread_setaffinity_np");
	}
	cpu_set_t c;
	return real(t, size, clamp(size, mask, &c));
}

int pthread_attr_setaffinity_np(pthread_attr_t *attr, size_t size, const cpu_set_t *mask);
int
pthread_attr_setaffinity_np(pthread_attr_t *attr, size_t size, const cpu_set_t *mask)
{
	static int (*real)(pthread_attr_t *, size_t, const cpu_set_t *);
	if (real == NULL) {
		real = (int (*)(pthread_attr_t *, size_t, const cpu_set_t *))dlsym(
			RTLD_NEXT, "pthread_attr_setaffinity_np");
	}
	cpu_set_t c;
	return real(attr, size, clamp(size, mask, &c));
}
