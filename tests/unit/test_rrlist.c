/* SPDX-License-Identifier: MIT
 * test_rrlist.c - unit tests for zone/rrlist.
 */
#include <CUnit/CUnit.h>
#include "tests/unit/suites.h"

int
test_rrlist_register(void)
{
	CU_pSuite s = CU_add_suite("rrlist", NULL, NULL);
	return s == NULL ? CU_get_error() : CUE_SUCCESS;
}
