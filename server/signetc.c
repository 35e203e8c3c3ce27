/* SPDX-License-Identifier: MIT
 * signetc.c - the operator's tool (placeholder).
 */
int
main(void)
{
	return 0;
}
