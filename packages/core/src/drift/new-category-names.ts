/**
 * A small, capped record of the new category names a window saw, as `[name, count]` pairs
 * (pairs rather than an object so any name, even "__proto__", is safe). The new-category total
 * is counted exactly elsewhere; these names are examples for people, and are bounded so a flood
 * of unique values cannot grow the sketch.
 */
export type NewCategoryNames = [name: string, count: number][];

export const MAX_NEW_CATEGORY_NAMES = 16;
export const MAX_NEW_CATEGORY_NAME_LENGTH = 64;

/** Most frequent first, ties by name: the one order both observing and merging keep. */
function comesBefore([name, count]: [string, number], [otherName, otherCount]: [string, number]): boolean {
  return count > otherCount || (count === otherCount && name < otherName);
}

/** Counts one occurrence; once the cap is reached, names not already listed are dropped. */
export function rememberNewCategory(names: NewCategoryNames, category: string): void {
  const name = category.length > MAX_NEW_CATEGORY_NAME_LENGTH ? category.slice(0, MAX_NEW_CATEGORY_NAME_LENGTH) : category;
  let i = names.findIndex((entry) => entry[0] === name);
  if (i >= 0) names[i][1]++;
  else if (names.length < MAX_NEW_CATEGORY_NAMES) i = names.push([name, 1]) - 1;
  else return;
  // Only entry i moved; bubble it up to its place.
  for (; i > 0 && comesBefore(names[i], names[i - 1]); i--) [names[i - 1], names[i]] = [names[i], names[i - 1]];
}

/**
 * Sums the two lists and keeps the most frequent names. Commutative; exact while the union fits
 * under the cap, best effort beyond it.
 */
export function mergeNewCategoryNames(a: NewCategoryNames, b: NewCategoryNames): NewCategoryNames {
  const sums = new Map<string, number>();
  for (const [name, count] of [...a, ...b]) sums.set(name, (sums.get(name) ?? 0) + count);
  return [...sums].sort((x, y) => (comesBefore(x, y) ? -1 : comesBefore(y, x) ? 1 : 0)).slice(0, MAX_NEW_CATEGORY_NAMES);
}
