import { createHmac, timingSafeEqual } from "node:crypto";
import { Forbidden, InvalidCursor } from "../core/errors.ts";
import { cursorKeys } from "../core/security/cursor-keys.ts";
import type { KeyRingHolder } from "../core/security/key-ring-holder.ts";
import type { Caller } from "../models/caller.ts";
import { OFFSET_MAX, PAGE_MAX } from "../models/search.ts";
import { canonicalSearch, type PagePosition, type SearchFilters } from "./search-params.ts";

/**
 * Opaque, tamper-evident page cursors. A cursor is 43 bytes, base64url:
 *
 *   version (1) | page (u16) | offset (u32) | expires, unix seconds (u32) | search hash (16) | MAC (16)
 *
 * The search hash is SHA-256 over the canonical search (query, categories, effective limit, sort,
 * filters, currency, sources; not the page), so a cursor opens only for the search it was issued for.
 * The MAC is HMAC-SHA256 over everything before it, truncated to 128 bits, with a key derived from the
 * token key ring (core/security/cursor-keys.ts). The layout is the gateway's own; clients must treat a
 * cursor as opaque.
 */
const VERSION = 1;
const HASH_BYTES = 16;
const MAC_BYTES = 16;
const BODY_BYTES = 1 + 2 + 4 + 4 + HASH_BYTES;
const CURSOR_BYTES = BODY_BYTES + MAC_BYTES;
/** A day: long enough to page through a search at a human pace, short enough that results drift little. */
export const CURSOR_TTL_MS = 86_400_000;

type Searched = { query: string; categories: string[]; limit: number; filters?: SearchFilters | undefined };

function searchHash(search: Searched): Buffer {
  const parts = JSON.stringify(["cursor", ...canonicalSearch(search)]);
  return Buffer.from(Bun.CryptoHasher.hash("sha256", parts) as Uint8Array).subarray(0, HASH_BYTES);
}

function mac(key: Uint8Array, body: Uint8Array): Buffer {
  return createHmac("sha256", key).update(body).digest().subarray(0, MAC_BYTES);
}

export class SearchCursors {
  constructor(
    private readonly keys: KeyRingHolder,
    private readonly clock: () => number = Date.now,
    private readonly ttlMs = CURSOR_TTL_MS,
  ) {}

  /** The cursor of the page at `next` of this search. */
  issue(search: Searched, next: PagePosition): string {
    const body = Buffer.alloc(BODY_BYTES);
    body.writeUInt8(VERSION, 0);
    body.writeUInt16BE(next.page, 1);
    body.writeUInt32BE(next.offset, 3);
    body.writeUInt32BE(Math.floor((this.clock() + this.ttlMs) / 1000), 7);
    searchHash(search).copy(body, 11);
    const signed = mac(cursorKeys(this.keys.current).signing, body);
    return Buffer.concat([body, signed]).toString("base64url");
  }

  /** Where `cursor` points, if the gateway issued it for this very search and it has not expired. */
  open(cursor: string, search: Searched): PagePosition {
    const bytes = Buffer.from(cursor, "base64url");
    // A re-encoding check too: base64url has more than one spelling of the last bits, and an altered
    // character that decodes to the same bytes is still an altered cursor.
    if (bytes.length !== CURSOR_BYTES || bytes.toString("base64url") !== cursor) throw notIssued();
    const body = bytes.subarray(0, BODY_BYTES);
    const given = bytes.subarray(BODY_BYTES);
    const genuine = cursorKeys(this.keys.current).verifying.some((key) =>
      timingSafeEqual(mac(key, body), given),
    );
    if (!genuine || body.readUInt8(0) !== VERSION) throw notIssued();
    if (body.readUInt32BE(7) * 1000 <= this.clock()) {
      throw new InvalidCursor("The cursor has expired; start again from the first page (no cursor).");
    }
    if (!body.subarray(11, BODY_BYTES).equals(searchHash(search))) {
      throw new InvalidCursor(
        "The cursor belongs to another search: query, categories, limit, sort and filters must be " +
          "the same as for the page that gave it.",
      );
    }
    return { page: body.readUInt16BE(1), offset: body.readUInt32BE(3) };
  }
}

function notIssued(): InvalidCursor {
  return new InvalidCursor("The cursor is not one this gateway issued, or it was altered.");
}

/** A search resumed at its cursor's page, refused past the plan's depth. */
export function resumeAt(
  cursors: SearchCursors,
  cursor: string,
  search: Searched,
  caller: Caller,
): PagePosition {
  const position = cursors.open(cursor, search);
  if (position.page > caller.limits.maxPages) {
    throw new Forbidden(
      `Your ${caller.plan} plan allows paging to at most page ${caller.limits.maxPages} of a search; ` +
        `this cursor is for page ${position.page}.`,
    );
  }
  return position;
}

/**
 * This page's number and the next page's cursor, for the shared answer of `/search` and of the stream
 * alike (they share cache entries). An Aggregator that does not say `has_more` does not page: its answer
 * is the only page. The cursor is stored with the cached page, so a hit costs no signing.
 */
export function pageOf(
  cursors: SearchCursors | undefined,
  search: Searched & PagePosition,
  more: boolean,
): { page: number; next_cursor: string | null } {
  const next = { page: search.page + 1, offset: search.offset + search.limit };
  const issue = more && cursors !== undefined && next.offset <= OFFSET_MAX && next.page <= PAGE_MAX;
  return { page: search.page, next_cursor: issue ? (cursors?.issue(search, next) ?? null) : null };
}
