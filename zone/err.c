/* SPDX-License-Identifier: MIT
 * err.c - names for the error enum.
 */
#include "zone/err.h"

const char *
sn_strerror(int err)
{
	switch (err) {
	case SN_OK:
		return "success";
	case SN_ENOMEM:
		return "out of memory";
	case SN_EINVAL:
		return "invalid argument";
	case SN_EPARSE:
		return "malformed input";
	case SN_ENOSPC:
		return "no space left in buffer";
	case SN_ERANGE:
		return "value out of range";
	case SN_ENOTFOUND:
		return "not found";
	case SN_ESTORE:
		return "storage error";
	case SN_EIO:
		return "I/O error";
	case SN_EEXIST:
		return "already exists";
	case SN_ENOTSUP:
		return "not supported";
	case SN_ECHECK:
		return "zone check failed";
	}
	return "unknown error";
}
