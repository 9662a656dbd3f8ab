/** Wording shared by messages and notes. */

/** Items for a message or note: all of them up to `max`, else the first `max` and how many more ("a, b and 3 more"). */
export function someOf(items: Iterable<string>, max: number): string {
  const all = [...items];
  return all.length <= max ? all.join(', ') : `${all.slice(0, max).join(', ')} and ${all.length - max} more`;
}
