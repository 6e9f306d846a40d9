import { parseFilters, type ListPage, type ListQuery } from '../store/index.ts';
import { fieldError } from './api-error.ts';
import type { ApiRequest, ApiResult } from './request-context.ts';

/** Default page size (KAZOO `crossbar.pagination_page_size`). */
export const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

/** Pagination, order and filters of a listing request (reference §1.8–1.9). */
export function listOptions(req: ApiRequest): Omit<ListQuery, 'type' | 'accountId'> {
  const paginate = req.query['paginate'] !== 'false';
  let pageSize: number | null = paginate ? DEFAULT_PAGE_SIZE : null;
  const given = req.query['page_size'];
  if (paginate && given !== undefined) {
    const n = Number(given);
    if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
      throw fieldError('page_size', 'minimum', `Value must be an integer between 1 and ${MAX_PAGE_SIZE}`, { value: given });
    }
    pageSize = n;
  }
  const ascending = req.query['ascending'] === 'true' || req.query['descending'] === 'false';
  const startKey = req.query['start_key'];
  return {
    pageSize,
    ascending,
    filters: parseFilters(req.query),
    ...(paginate && startKey !== undefined ? { startKey } : {}),
  };
}

/** A listing result with KAZOO's pagination keys (stripped when `paginate=false`). */
export function listResult(page: ListPage, items: unknown[], paginated: boolean): ApiResult {
  if (!paginated) return { data: items };
  return {
    data: items,
    pagination: {
      pageSize: items.length,
      ...(page.startKey !== undefined ? { startKey: page.startKey } : {}),
      ...(page.nextStartKey !== undefined ? { nextStartKey: page.nextStartKey } : {}),
    },
  };
}
