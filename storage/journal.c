/* SPDX-License-Identifier: MIT
 * journal.c - per-zone change history: append with bounds, iterate by serial.
 *
 * An entry, as stored (integers big-endian):
 *	u8 version, u32 serial_from, u32 serial_to, u32 removed, u32 added,
 *	then the records in RFC 1995 order: SOA before, removed, SOA after,
 *	added; each u8 owner length, owner, u16 type, u16 class, u32 TTL,
 *	u16 RDATA length, RDATA.
 * The entries of a zone have consecutive sequence numbers from jseq_first
 * to jseq_next - 1 (kept in the zone's catalogue entry), so dropping the
 * oldest is one delete and finding a serial is a walk over at most the
 * entry limit, reading only the head of each entry.
 */
#include "storage/journal.h"
#include "storage/internal/store_int.h"
#include "zone/rrtype.h"
#include <stdlib.h>
#include <string.h>

#define JENTRY_VERSION 1
#define JENTRY_HEAD 17

static size_t
jkey(uint32_t zid, uint64_t seq, uint8_t out[12])
{
	st_put_u32(out, zid);
	st_put_u64(out + 4, seq);
	return 12;
}

/* Reads the serial_from of the entry `seq`. */
static int
entry_head(store_txn_t *t, uint32_t zid, uint64_t seq, uint32_t *from, uint32_t *to, size_t *len)
{
	uint8_t key[12];
	MDB_val k = {.mv_size = jkey(zid, seq, key), .mv_data = key}, v;
	int rc = st_mdb_err(t, mdb_get(t->mdb, t->s->dbi_journal, &k, &v), "reading the journal");
	if (rc == SN_ENOTFOUND) {
		st_set_err(t->s, "zone %u: journal entry %llu is missing", zid,
		           (unsigned long long)seq);
		return SN_ESTORE;
	}
	if (rc != SN_OK) {
		return rc;
	}
	const uint8_t *p = v.mv_data;
	if (v.mv_size < JENTRY_HEAD || p[0] != JENTRY_VERSION) {
		st_set_err(t->s, "zone %u: corrupt journal entry %llu", zid,
		           (unsigned long long)seq);
		return SN_ESTORE;
	}
	if (from != NULL) {
		*from = st_get_u32(p + 1);
	}
	if (to != NULL) {
		*to = st_get_u32(p + 5);
	}
	if (len != NULL) {
		*len = v.mv_size;
	}
	return SN_OK;
}

int
st_journal_clear(store_txn_t *t, zrec_t *z)
{
	int rc = st_delete_prefix(t, t->s->dbi_journal, z->m.id, NULL);
	if (rc != SN_OK) {
		return rc;
	}
	/* Sequence numbers keep growing: a reader never mistakes a new
	 * entry for an old one. */
	z->jseq_first = z->jseq_next;
	z->m.journal_count = 0;
	z->m.journal_bytes = 0;
	z->m.journal_serial_first = 0;
	return SN_OK;
}

static void
encode_list(sbuf_t *b, const rrlist_t *l)
{
	size_t n = rrlist_count(l);
	for (size_t i = 0; i < n; i++) {
		rrlist_rr_t r = rrlist_get(l, i);
		store_rr_t rr = {
		    .owner = r.owner,
		    .type = r.type,
		    .rclass = r.rclass,
		    .ttl = r.ttl,
		    .rdlen = r.rdlen,
		    .rdata = r.rdata,
		};
		st_rr_encode(b, &rr);
	}
}

int
st_journal_append(store_txn_t *t, zrec_t *z, const store_rr_t *soa_before,
                  const store_rr_t *soa_after, const rrlist_t *removed, const rrlist_t *added)
{
	uint32_t max_e = z->m.journal_max_entries != 0 ? z->m.journal_max_entries
	                                               : STORE_JOURNAL_ENTRIES_DEFAULT;
	uint64_t max_b =
	    z->m.journal_max_bytes != 0 ? z->m.journal_max_bytes : STORE_JOURNAL_BYTES_DEFAULT;
	uint32_t from, to;
	sbuf_t b = {0};
	int rc;

	if (!st_soa_serial(soa_before->rdata, soa_before->rdlen, &from) ||
	    !st_soa_serial(soa_after->rdata, soa_after->rdlen, &to) ||
	    rrlist_count(removed) > UINT32_MAX || rrlist_count(added) > UINT32_MAX) {
		return SN_EINVAL;
	}
	sbuf_u8(&b, JENTRY_VERSION);
	sbuf_u32(&b, from);
	sbuf_u32(&b, to);
	sbuf_u32(&b, (uint32_t)rrlist_count(removed));
	sbuf_u32(&b, (uint32_t)rrlist_count(added));
	st_rr_encode(&b, soa_before);
	encode_list(&b, removed);
	st_rr_encode(&b, soa_after);
	encode_list(&b, added);
	if (b.oom) {
		sbuf_free(&b);
		return SN_ENOMEM;
	}
	if (b.len > max_b) {
		/* Keeping it would break the byte bound, dropping it alone
		 * would break the chain: the journal restarts after it. */
		sbuf_free(&b);
		return st_journal_clear(t, z);
	}

	uint8_t key[12];
	MDB_val k = {.mv_size = jkey(z->m.id, z->jseq_next, key), .mv_data = key};
	MDB_val v = {.mv_size = b.len, .mv_data = b.p};
	rc = st_mdb_err(t, mdb_put(t->mdb, t->s->dbi_journal, &k, &v, 0), "writing the journal");
	sbuf_free(&b);
	if (rc != SN_OK) {
		return rc == SN_ENOTFOUND ? SN_ESTORE : rc;
	}
	if (z->m.journal_count == 0) {
		z->jseq_first = z->jseq_next;
		z->m.journal_serial_first = from;
	}
	z->jseq_next++;
	z->m.journal_count++;
	z->m.journal_bytes += v.mv_size;

	bool dropped = false;
	while (z->m.journal_count > 1 &&
	       (z->m.journal_count > max_e || z->m.journal_bytes > max_b)) {
		size_t len;
		rc = entry_head(t, z->m.id, z->jseq_first, NULL, NULL, &len);
		if (rc != SN_OK) {
			return rc;
		}
		k = (MDB_val){.mv_size = jkey(z->m.id, z->jseq_first, key), .mv_data = key};
		rc = st_mdb_err(t, mdb_del(t->mdb, t->s->dbi_journal, &k, NULL),
		                "dropping a journal entry");
		if (rc != SN_OK) {
			return rc == SN_ENOTFOUND ? SN_ESTORE : rc;
		}
		z->jseq_first++;
		z->m.journal_count--;
		z->m.journal_bytes -= len < z->m.journal_bytes ? len : z->m.journal_bytes;
		dropped = true;
	}
	if (dropped) {
		rc = entry_head(t, z->m.id, z->jseq_first, &z->m.journal_serial_first, NULL, NULL);
	}
	return rc;
}

/* ---- iteration ---- */

struct journal_iter {
	store_txn_t *txn;
	uint32_t zid;
	uint64_t seq;     /* next entry */
	uint64_t seq_end; /* one past the newest */
	bool started;
	uint32_t prev_to;
	bool in_entry;
	srd_t r; /* the rest of the current entry */
	uint32_t left_removed;
	uint32_t left_added;
	int state; /* next part: 0 SOA before, 1 removed, 2 SOA after, 3 added, 4 end */
};

int
journal_iter_new(store_txn_t *t, const uint8_t *apex, uint32_t serial, journal_iter_t **out)
{
	zrec_t z;
	int rc = st_zone_load(t, apex, &z);
	if (rc != SN_OK) {
		return rc;
	}
	if (!z.m.has_soa) {
		return SN_ENOTFOUND;
	}
	uint64_t start = z.jseq_next;
	if (serial != z.m.serial) {
		/* The newest entry starting at `serial`: after a serial wrap
		 * (RFC 1982) an older one could start there too. */
		bool found = false;
		for (uint64_t s = z.jseq_next; s > z.jseq_first; s--) {
			uint32_t from;
			rc = entry_head(t, z.m.id, s - 1, &from, NULL, NULL);
			if (rc != SN_OK) {
				return rc;
			}
			if (from == serial) {
				start = s - 1;
				found = true;
				break;
			}
		}
		if (!found) {
			return SN_ENOTFOUND;
		}
	}
	journal_iter_t *it = calloc(1, sizeof(*it));
	if (it == NULL) {
		return SN_ENOMEM;
	}
	it->txn = t;
	it->zid = z.m.id;
	it->seq = start;
	it->seq_end = z.jseq_next;
	*out = it;
	return SN_OK;
}

int
journal_iter_next(journal_iter_t *it, journal_entry_t *e)
{
	store_txn_t *t = it->txn;
	it->in_entry = false;
	if (it->seq >= it->seq_end) {
		return SN_ENOTFOUND;
	}
	int rc = st_usable(t, false);
	if (rc != SN_OK) {
		return rc;
	}
	uint8_t key[12];
	MDB_val k = {.mv_size = jkey(it->zid, it->seq, key), .mv_data = key}, v;
	rc = st_mdb_err(t, mdb_get(t->mdb, t->s->dbi_journal, &k, &v), "reading the journal");
	if (rc != SN_OK) {
		if (rc == SN_ENOTFOUND) {
			st_set_err(t->s, "zone %u: journal entry %llu is missing", it->zid,
			           (unsigned long long)it->seq);
			rc = SN_ESTORE;
		}
		return rc;
	}
	srd_t r = {.p = v.mv_data, .left = v.mv_size};
	uint8_t ver = srd_u8(&r);
	journal_entry_t je = {
	    .serial_from = srd_u32(&r),
	    .serial_to = srd_u32(&r),
	    .removed_count = srd_u32(&r),
	    .added_count = srd_u32(&r),
	    .len = v.mv_size,
	};
	if (r.bad || ver != JENTRY_VERSION || (it->started && je.serial_from != it->prev_to)) {
		st_set_err(t->s, "zone %u: corrupt journal entry %llu or broken serial chain",
		           it->zid, (unsigned long long)it->seq);
		return SN_ESTORE;
	}
	it->started = true;
	it->prev_to = je.serial_to;
	it->seq++;
	it->r = r;
	it->left_removed = je.removed_count;
	it->left_added = je.added_count;
	it->state = 0;
	it->in_entry = true;
	*e = je;
	return SN_OK;
}

int
journal_iter_rr(journal_iter_t *it, store_rr_t *rr, journal_part_t *part)
{
	journal_part_t p;
	if (!it->in_entry) {
		return SN_EINVAL;
	}
	switch (it->state) {
	case 0:
		p = JOURNAL_SOA_BEFORE;
		it->state = 1;
		break;
	case 1:
		if (it->left_removed > 0) {
			p = JOURNAL_REMOVED;
			it->left_removed--;
			break;
		}
		p = JOURNAL_SOA_AFTER;
		it->state = 3;
		break;
	case 3:
		if (it->left_added > 0) {
			p = JOURNAL_ADDED;
			it->left_added--;
			break;
		}
		it->state = 4;
		/* fall through */
	default:
		if (it->r.left != 0) {
			st_set_err(it->txn->s, "zone %u: trailing bytes in a journal entry",
			           it->zid);
			return SN_ESTORE;
		}
		return SN_ENOTFOUND;
	}
	store_rr_t v;
	if (st_rr_decode(&it->r, &v) != SN_OK ||
	    ((p == JOURNAL_SOA_BEFORE || p == JOURNAL_SOA_AFTER) && v.type != RRTYPE_SOA)) {
		st_set_err(it->txn->s, "zone %u: corrupt record in a journal entry", it->zid);
		it->state = 4;
		it->r.left = 0;
		return SN_ESTORE;
	}
	*rr = v;
	*part = p;
	return SN_OK;
}

void
journal_iter_free(journal_iter_t *it)
{
	free(it);
}
