/* SPDX-License-Identifier: MIT
 * test_zfile.c - unit tests for zone/zfile.
 */
#include <CUnit/CUnit.h>
#include "tests/unit/suites.h"

int
test_zfile_register(void)
{
	CU_pSuite s = CU_add_suite("zfile", NULL, NULL);
	return s == NULL ? CU_get_error() : CUE_SUCCESS;
}
