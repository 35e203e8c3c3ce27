/* SPDX-License-Identifier: MIT
 * suites.h - every CUnit suite of the unit-test runner registers here.
 */
#pragma once

#include <CUnit/CUnit.h>

/* Each adds its suite to the CUnit registry; returns CUE_SUCCESS or an
 * error. One per module, in tests/unit/test_<module>.c. */
int test_dname_register(void);
int test_rrtype_register(void);
int test_rdata_register(void);
int test_zfile_register(void);
int test_rrlist_register(void);
int test_zcheck_register(void);
int test_conf_register(void);
int test_tree_register(void);
int test_nhash_register(void);
int test_snap_register(void);
int test_query_register(void);
int test_ctl_register(void);
int test_store_register(void);
int test_sign_register(void);
int test_signer_register(void);
int test_kasp_register(void);

/* Seed for randomised tests: from SIGNET_TEST_SEED or the clock; printed by
 * the runner so a failure can be replayed. */
unsigned test_seed(void);
