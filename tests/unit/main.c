/* SPDX-License-Identifier: MIT
 * main.c - the unit-test runner: registers every suite and runs them.
 *
 * `unit_tests` runs all suites; `unit_tests SUITE [TEST]` runs one. The exit
 * status is non-zero when any test failed, so `make check` fails too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <CUnit/Basic.h>
#include "tests/unit/suites.h"

static unsigned seed;

unsigned
test_seed(void)
{
	return seed;
}

int
main(int argc, char **argv)
{
	int (*const regs[])(void) = {
		test_dname_register, test_rrtype_register, test_rdata_register,
		test_zfile_register, test_rrlist_register, test_zcheck_register,
		test_conf_register,
		test_tree_register,
		test_nhash_register,
		test_snap_register,
		test_query_register,
		test_ctl_register,
		test_store_register,
		test_sign_register,
		test_signer_register,
		test_kasp_register,
	};
	const char *s = getenv("SIGNET_TEST_SEED");
	seed = s != NULL ? (unsigned)strtoul(s, NULL, 10) : (unsigned)time(NULL);
	printf("unit tests: seed %u (set SIGNET_TEST_SEED to replay)\n", seed);

	if (CU_initialize_registry() != CUE_SUCCESS) {
		return 2;
	}
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		if (regs[i]() != CUE_SUCCESS) {
			fprintf(stderr, "cannot register suite: %s\n", CU_get_error_msg());
			CU_cleanup_registry();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	if (argc >= 2) {
		CU_pSuite suite = CU_get_suite(argv[1]);
		if (suite == NULL) {
			fprintf(stderr, "no suite %s\n", argv[1]);
			CU_cleanup_registry();
			return 2;
		}
		if (argc >= 3) {
			CU_pTest t = CU_get_test(suite, argv[2]);
			if (t == NULL) {
				fprintf(stderr, "no test %s in %s\n", argv[2], argv[1]);
				CU_cleanup_registry();
				return 2;
			}
			CU_basic_run_test(suite, t);
		} else {
			CU_basic_run_suite(suite);
		}
	} else {
		CU_basic_run_tests();
	}
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	unsigned ran = CU_get_number_of_tests_run();
	unsigned tfailed = CU_get_number_of_tests_failed();
	/* again at the end, where a log's tail shows it: which assertion
	 * failed, and the seed that replays it */
	for (CU_pFailureRecord f = CU_get_failure_list(); f != NULL; f = f->pNext) {
		printf("\nFAILED %s/%s: %s:%u: %s (seed %u)", f->pSuite ? f->pSuite->pName : "?",
		       f->pTest ? f->pTest->pName : "?", f->strFileName ? f->strFileName : "?",
		       f->uiLineNumber, f->strCondition ? f->strCondition : "?", seed);
	}
	printf("\nunit tests: %u passed, %u failed\n", ran - tfailed, tfailed);
	CU_cleanup_registry();
	return failed != 0 ? 1 : 0;
}
