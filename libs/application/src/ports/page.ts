export interface Page<T> {
  items: T[];
  /** True when more items follow the last one returned. */
  hasMore: boolean;
}
