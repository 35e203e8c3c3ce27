/* SPDX-License-Identifier: MIT
 * err.h - the one error enum of signet.
 *
 * 0 is success and every error is negative, so `if (rc != SN_OK)` and
 * `if (rc < 0)` both work. errno, LMDB and OpenSSL errors are mapped to these
 * at the boundary where they occur and never travel further raw.
 */
#pragma once

#define SN_MUSTCHECK __attribute__((warn_unused_result))

enum sn_err {
	SN_OK = 0,
	SN_ENOMEM = -1,
	SN_EINVAL = -2,    /* caller passed something impossible */
	SN_EPARSE = -3,    /* malformed text or wire input */
	SN_ENOSPC = -4,    /* output buffer full: truncate, don't fail */
	SN_ERANGE = -5,    /* a count or length is over its limit */
	SN_ENOTFOUND = -6,
	SN_ESTORE = -7,    /* storage failed; details were logged */
	SN_EIO = -8,       /* reading or writing a file or socket failed */
	SN_EEXIST = -9,
	SN_ENOTSUP = -10,  /* valid input we do not handle */
	SN_ECHECK = -11,   /* a zone failed its semantic checks */
};

/* Returns a static, human-readable name for `err`. Any thread. */
const char *sn_strerror(int err);
